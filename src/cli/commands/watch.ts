import { formatDuration } from '../../duration.js';
import { isDbfastError } from '../../errors.js';
import { type WatchEvent, watchTemplate } from '../../template/watch.js';
import { action, type CommandContext } from '../context.js';
import type { Program } from '../root.js';

export function registerWatch(program: Program): void {
  program
    .command('watch')
    .description('rebuild the template whenever a file of the repository changes')
    .option('-e, --env <name>', 'environment')
    .addHelpText(
      'after',
      `
Each rebuild goes into a new template; the old one stays usable until the new one is ready,
so \`dbfast clone\` keeps working meanwhile. An SQL error is shown with file:line:col and
watching goes on. Ctrl-C stops cleanly. With --json, one JSON document per line per event.

Example:
  $ dbfast watch --env local`,
    )
    .action(
      action(async (ctx, options) => {
        // Installed before the first build: Ctrl-C during it must stop cleanly too.
        const stopped = new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        const watcher = watchTemplate(ctx.project(), {
          ...(options.env ? { env: options.env } : {}),
          onEvent: (event) => show(ctx, event),
        });
        await Promise.race([watcher.ready, stopped]);
        await stopped;
        ctx.output.info('stopping…');
        await watcher.close();
        return { json: { ok: true, type: 'stopped' }, text: 'stopped' };
      }),
    );
}

function show(ctx: CommandContext, event: WatchEvent): void {
  const { output } = ctx;
  if (output.json) {
    const error =
      event.type === 'error'
        ? isDbfastError(event.error)
          ? event.error.toJSON()
          : { message: String(event.error) }
        : undefined;
    process.stdout.write(`${JSON.stringify({ ...event, ...(error ? { error } : {}) })}\n`);
    return;
  }
  const { style } = output;
  const time = new Date().toLocaleTimeString();
  switch (event.type) {
    case 'ready':
      process.stdout.write(`${time} watching ${event.paths.join(', ')} (Ctrl-C to stop)\n`);
      break;
    case 'change':
      process.stdout.write(
        `${time} changed: ${event.paths.slice(0, 5).join(', ')}${event.paths.length > 5 ? ` and ${event.paths.length - 5} more` : ''}\n`,
      );
      break;
    case 'building':
      break;
    case 'built':
      process.stdout.write(
        `${time} ${style.green(`built ${event.result.name} in ${formatDuration(event.ms)}`)}${event.result.reasons.length ? ` (${event.result.reasons.slice(0, 3).join('; ')})` : ''}\n`,
      );
      break;
    case 'current':
      process.stdout.write(`${time} ${event.result.name} is current\n`);
      break;
    case 'error': {
      const error = event.error;
      const message = isDbfastError(error)
        ? `${error.message}${error.location?.excerpt ? `\n${error.location.excerpt}` : ''}`
        : String(error);
      process.stdout.write(
        `${time} ${style.red(`error: ${message}`)}\n${time} still watching; fix the file and save\n`,
      );
      break;
    }
  }
}
