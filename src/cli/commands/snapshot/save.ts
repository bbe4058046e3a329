import { formatBytes, formatDuration } from '../../../duration.js';
import { saveSnapshot } from '../../../snapshot/save.js';
import { action } from '../../context.js';
import { spawnDetached } from '../../refill.js';
import type { CommandGroup } from '../../root.js';

export function registerSnapshotSave(snapshot: CommandGroup): void {
  snapshot
    .command('save')
    .description('save the database as snapshot NAME')
    .argument('<name>', 'snapshot name (letters, digits, _ - ., at most 32)')
    .option('--db <name>', 'the database to snapshot')
    .option('-y, --yes', 'close other sessions on the database (a copy needs none)')
    .option('--force', 'replace an existing snapshot of that name')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast snapshot save clean --db shop_dev\n  $ dbfast snapshot save clean --db shop_dev --force --yes',
    )
    .action(
      action(async (ctx, name, flags) => {
        const result = await saveSnapshot(ctx.project(), {
          name,
          db: flags.db,
          force: flags.force === true,
          terminate: flags.yes === true,
          prepare: false,
        });
        spawnDetached(ctx.globals, ['snapshot', 'prepare', name, '--db', result.db]);
        const { prepared: _, ...json } = result;
        const closed = result.terminated > 0 ? ` (closed ${result.terminated} sessions)` : '';
        return {
          json: { ok: true, ...json },
          text: `saved snapshot ${result.name} of ${result.db} (${formatBytes(result.sizeBytes)}) in ${formatDuration(result.durationMs)}${closed}`,
        };
      }),
    );
}
