import { type Command, Option } from 'commander';
import { drainPool, fillPool, poolStatus } from '../../clone/pool.js';
import { releaseRefillLock } from '../../clone/refill.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import { table } from '../output.js';

export function registerPool(program: Command): void {
  const pool = program
    .command('pool')
    .description('pre-made clones, claimed instantly by `dbfast clone` ([pool] size = N)')
    .addHelpText(
      'after',
      `
A pool member is a ready clone of the CURRENT template. \`dbfast clone\` claims one with an
atomic rename (safe across processes, no daemon) and refills the pool in the background.

Examples:
  $ dbfast pool fill --env test
  $ dbfast pool status
  $ dbfast pool drain --yes`,
    );

  pool
    .command('fill')
    .description('top the pool up to its size (builds the template if needed)')
    .option('-e, --env <name>', 'environment')
    // The refill a clone starts: return at once when another filler runs, and remove the
    // clone's lock file at the end (see src/clone/refill.ts). Not for people.
    .addOption(new Option('--background <lockfile>').hideHelp())
    .action(
      action(async (ctx, options: { env?: string; background?: string }) => {
        const background = options.background;
        const result = await fillPool(ctx.project(), {
          ...(options.env ? { env: options.env } : {}),
          ifIdle: background !== undefined,
        }).finally(() => (background === undefined ? undefined : releaseRefillLock(background)));
        return {
          json: { ok: true, ...result },
          text: `${result.env}: ${result.ready}/${result.size} ready (${result.created.length} made) from ${result.template}`,
        };
      }),
    );

  pool
    .command('status')
    .description('ready members per environment, and members of stale templates')
    .action(
      action(async (ctx) => {
        const status = await poolStatus(ctx.project());
        const rows = status.map((s) => [
          s.env,
          s.size,
          s.ready,
          s.stale,
          s.template ?? '(template not built)',
        ]);
        return {
          json: { ok: true, environments: status },
          text: table(['env', 'size', 'ready', 'stale', 'template'], rows),
        };
      }),
    );

  pool
    .command('drain')
    .description("drop every pool member (or one environment's)")
    .option('-e, --env <name>', 'environment')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action(async (ctx, options: { env?: string; yes?: boolean }) => {
        await confirmDestructive({ yes: options.yes === true, question: 'Drop the pool members?' });
        const dropped = await drainPool(ctx.project(), options.env ? { env: options.env } : {});
        return {
          json: { ok: true, dropped },
          text: `dropped ${dropped.length} pool member${dropped.length === 1 ? '' : 's'}`,
        };
      }),
    );
}
