import { Option } from '@commander-js/extra-typings';
import { fillPool } from '../../../clone/pool.js';
import { releaseRefillLock } from '../../../clone/refill.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerPoolFill(pool: CommandGroup): void {
  pool
    .command('fill')
    .description('top the pool up to its size (builds the template if needed)')
    .option('-e, --env <name>', 'environment')
    // The refill a clone starts: return at once when another filler runs, and remove the
    // clone's lock file at the end (see src/clone/refill.ts). Not for people.
    .addOption(new Option('--background <lockfile>').hideHelp())
    .action(
      action(async (ctx, options) => {
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
}
