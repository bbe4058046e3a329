import { prepareSnapshot } from '../../../snapshot/save.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerSnapshotPrepare(snapshot: CommandGroup): void {
  snapshot
    .command('prepare')
    .description('make the ready copy of snapshot NAME now (save and restore start this)')
    .argument('<name>', 'snapshot name')
    .option('--db <name>', 'the database the snapshot is of')
    .action(
      action(async (ctx, name, flags) => {
        const result = await prepareSnapshot(ctx.project(), { name, db: flags.db });
        return {
          json: { ok: true, ...result },
          text: result.created ? `made ready copy ${result.ready}` : `ready copy ${result.ready}`,
        };
      }),
    );
}
