import { drainPool } from '../../../clone/pool.js';
import { confirmDestructive } from '../../confirm.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerPoolDrain(pool: CommandGroup): void {
  pool
    .command('drain')
    .description("drop every pool member (or one environment's)")
    .option('-e, --env <name>', 'environment')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      action(async (ctx, options) => {
        await confirmDestructive({ yes: options.yes === true, question: 'Drop the pool members?' });
        const dropped = await drainPool(ctx.project(), options.env ? { env: options.env } : {});
        return {
          json: { ok: true, dropped },
          text: `dropped ${dropped.length} pool member${dropped.length === 1 ? '' : 's'}`,
        };
      }),
    );
}
