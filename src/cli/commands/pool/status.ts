import { poolStatus } from '../../../clone/pool.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import type { CommandGroup } from '../../root.js';

export function registerPoolStatus(pool: CommandGroup): void {
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
}
