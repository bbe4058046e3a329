import { listBackups } from '../../../backup/list.js';
import { sourceFilterOf } from '../../../backup/source.js';
import { formatBytes, formatDuration } from '../../../duration.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import type { CommandGroup } from '../../root.js';

export function registerBackupList(backup: CommandGroup): void {
  backup
    .command('list')
    .description('list backups: id, source, database, size, age, duration, verified')
    .option('--remote <name>', 'only the backups of this remote')
    .option('--db <name>', 'only the backups of this database')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast backup list\n  $ dbfast backup list --remote prod --json',
    )
    .action(
      action(async (ctx, flags) => {
        const backups = await listBackups(ctx.project(), { source: sourceFilterOf(flags) });
        const rows = backups.map((b) => [
          b.id,
          b.source,
          b.database ?? '?',
          b.bytes === undefined ? '?' : formatBytes(b.bytes),
          b.ageMs === undefined ? '?' : formatDuration(b.ageMs),
          b.durationMs === undefined ? '?' : formatDuration(b.durationMs),
          b.problem === undefined ? b.verified : 'broken',
        ]);
        const text =
          backups.length === 0
            ? 'no backups'
            : table(['id', 'source', 'database', 'size', 'age', 'took', 'verified'], rows);
        return { json: { ok: true, backups }, text };
      }),
    );
}
