import { CommanderError } from '@commander-js/extra-typings';
import { DbfastError, ExitCode } from '../errors.js';
import { describeFailure } from '../server/failures.js';
import { buildProgram } from './program.js';
import { ReportedFailure } from './reported-failure.js';

/**
 * The ONE place that catches errors and sets the exit code. Expected misuse (a DbfastError)
 * prints its message and hint without a stack; anything else is a bug and prints its stack.
 */
export async function run(argv: string[]): Promise<void> {
  // A reader that stops early (`dbfast --help | head`) closes the pipe: the rest of the
  // output is unwanted, not a failure, so EPIPE ends nothing (anything else still throws).
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreEpipe);
  const json = argv.includes('--json');
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    process.exitCode = ExitCode.ok;
  } catch (error) {
    process.exitCode = report(error, json);
  }
}

function ignoreEpipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

function report(error: unknown, json: boolean): number {
  if (error instanceof ReportedFailure) return error.exitCode;
  if (error instanceof CommanderError) {
    // commander already printed help, the version or its own usage message.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return ExitCode.ok;
    }
    if (json)
      printJsonError(
        new DbfastError('usage', error.message.replace(/^error: /, ''), {
          exitCode: ExitCode.usage,
        }),
      );
    return ExitCode.usage;
  }
  // Errors a user can meet that reached here unwrapped (PostgreSQL, file system, a lost
  // connection) are reported as what they are, not as bugs.
  const known = describeFailure(error);
  if (known !== undefined) {
    if (json) {
      printJsonError(known);
    } else {
      const hint = known.hint === undefined ? '' : `\nhint: ${known.hint}`;
      const pg = known.pg;
      const pgLines = [
        pg?.detail ? `detail: ${pg.detail}` : '',
        pg?.hint && pg.hint !== known.hint ? `hint: ${pg.hint}` : '',
      ]
        .filter((line) => line.length > 0)
        .join('\n');
      const excerpt = known.location?.excerpt ? `\n${known.location.excerpt}` : '';
      process.stderr.write(
        `error: ${known.message}${excerpt}${pgLines ? `\n${pgLines}` : ''}${hint}\n`,
      );
    }
    return known.exitCode;
  }
  // Not a DbfastError: a bug in dbfast. Show everything.
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (json) {
    printJsonError(
      new DbfastError('internal', error instanceof Error ? error.message : String(error)),
    );
  }
  process.stderr.write(`dbfast: unexpected error (this is a bug; please report it):\n${stack}\n`);
  return ExitCode.failure;
}

function printJsonError(error: DbfastError): void {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error.toJSON() }, null, 2)}\n`);
}
