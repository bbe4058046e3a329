import type { ProgressEvent, Reporter } from '../reporter.js';

/**
 * Everything the CLI writes goes through here: results on stdout (human text or one JSON
 * document), notices and progress on stderr. Colour only on a TTY and never with NO_COLOR.
 */
export interface Output {
  json: boolean;
  verbose: boolean;
  color: boolean;
  /** Print the command's result: its JSON form with --json, else its text. */
  result(json: unknown, text: string): void;
  /** Print a line on stderr (notices, warnings), with --json too: stdout keeps only the JSON. */
  info(message: string): void;
  /** A reporter that routes core progress and notices to stderr. */
  reporter(): Reporter;
  style: Style;
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

export function createOutput(options: { json: boolean; verbose: boolean }): Output {
  const color =
    process.stdout.isTTY === true &&
    process.env.NO_COLOR === undefined &&
    process.env.TERM !== 'dumb';
  const paint = (code: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const style: Style = {
    bold: paint(1),
    dim: paint(2),
    red: paint(31),
    green: paint(32),
    yellow: paint(33),
  };
  const progressOnTty = process.stderr.isTTY === true && !options.json;
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) {
      process.stderr.write('\r\u001b[2K');
      progressShown = false;
    }
  };
  const info = (message: string): void => {
    clearProgress();
    process.stderr.write(`${message}\n`);
  };
  return {
    json: options.json,
    verbose: options.verbose,
    color,
    style,
    result(json, text) {
      clearProgress();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else if (text.length > 0) {
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    info,
    reporter(): Reporter {
      return {
        notice: (message) => info(options.json ? message : style.yellow(message)),
        serverStarted: (event) =>
          info(
            `${event.created ? 'Created and started' : 'Started'} the embedded PostgreSQL server in ${event.dir} (port ${event.port}); it keeps running: stop it with \`dbfast server stop\`.`,
          ),
        verbose: (message) => {
          if (options.verbose) info(style.dim(message));
        },
        progress: (event: ProgressEvent) => {
          if (!progressOnTty) return;
          const label = event.label === undefined ? '' : ` ${event.label}`;
          const line = `${event.task} ${event.done}/${event.total}${label}`;
          process.stderr.write(`\r\u001b[2K${line.slice(0, (process.stderr.columns ?? 80) - 1)}`);
          progressShown = event.done < event.total;
          if (!progressShown) process.stderr.write('\r\u001b[2K');
        },
      };
    },
  };
}

/** Render rows as an aligned text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
