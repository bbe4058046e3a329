import { formatBytes } from '../../../duration.js';
import { listSnapshots } from '../../../snapshot/list.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import type { CommandGroup } from '../../root.js';

export function registerSnapshotList(snapshot: CommandGroup): void {
  snapshot
    .command('list')
    .description('snapshots, with ready copies, and the previous states kept')
    .option('--db <name>', 'only the snapshots of this database')
    .addHelpText('after', '\nExamples:\n  $ dbfast snapshot list\n  $ dbfast snapshot list --json')
    .action(
      action(async (ctx, flags) => {
        const list = await listSnapshots(ctx.project(), { db: flags.db });
        const rows = list.snapshots.map((s) => [
          s.name,
          s.db,
          s.sizeBytes === undefined ? '?' : formatBytes(s.sizeBytes),
          s.ready,
          s.createdAt,
        ]);
        const text = [
          list.snapshots.length === 0
            ? 'no snapshots'
            : table(['name', 'db', 'size', 'ready', 'saved'], rows),
          ...list.previous.map(
            (p) => `previous state of ${p.db}: ${p.database} (before ${p.snapshot})`,
          ),
        ].join('\n');
        return { json: { ok: true, ...list }, text };
      }),
    );
}
