import { type PruneDecision, pruneBackups } from '../../../backup/retention.js';
import { sourceFilterOf } from '../../../backup/source.js';
import { formatBytes } from '../../../duration.js';
import { confirmDestructive } from '../../confirm.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import { parseDurationOption, parseIntegerOption } from '../../parse.js';
import type { CommandGroup } from '../../root.js';

export function registerBackupPrune(backup: CommandGroup): void {
  backup
    .command('prune')
    .description('delete backups the retention policy no longer keeps')
    .option('--keep-last <n>', 'keep the newest N backups of each source')
    .option('--max-age <duration>', 'delete backups older than this (e.g. 30d, 12h)')
    .option('--remote <name>', 'only the backups of this remote')
    .option('--db <name>', 'only the backups of this database')
    .option('--dry-run', 'only list what would be deleted')
    .option('-y, --yes', 'delete without asking')
    .addHelpText(
      'after',
      `
Without --keep-last/--max-age the policy comes from [backups] keep_last / max_age. Per
source, a backup goes when it is not among the newest N or is older than the maximum age;
the newest VERIFIED backup of each source is always kept. Deleting needs --yes (or a "y" on
a terminal); without either it is refused with exit code 2.

Examples:
  $ dbfast backup prune --dry-run
  $ dbfast backup prune --keep-last 7 --max-age 30d --yes`,
    )
    .action(
      action(async (ctx, flags) => {
        const options = {
          keepLast:
            flags.keepLast === undefined
              ? undefined
              : parseIntegerOption(flags.keepLast, '--keep-last', 1),
          maxAgeMs:
            flags.maxAge === undefined ? undefined : parseDurationOption(flags.maxAge, '--max-age'),
          source: sourceFilterOf(flags),
        };
        const project = ctx.project();
        const preview = await pruneBackups(project, { ...options, dryRun: true });
        const doomed = preview.decisions.filter((d) => !d.keep);
        if (flags.dryRun === true || doomed.length === 0) {
          return render(preview.decisions, preview.deleted, true, flags.dryRun === true);
        }
        await confirmDestructive({
          yes: flags.yes === true,
          question: `Delete ${doomed.length} backup(s) (${doomed.map((d) => d.id).join(', ')})?`,
        });
        const result = await pruneBackups(project, { ...options, confirmed: true });
        return render(result.decisions, result.deleted, false, false);
      }),
    );
}

function render(
  decisions: PruneDecision[],
  deleted: string[],
  nothingDone: boolean,
  dryRun: boolean,
): { json: unknown; text: string } {
  const verb = dryRun ? 'would delete' : 'deleted';
  const rows = decisions.map((d) => [
    d.keep ? 'keep' : dryRun ? 'delete' : 'deleted',
    d.id,
    formatBytes(d.bytes),
    d.reason,
  ]);
  const summary =
    deleted.length === 0
      ? 'nothing to delete'
      : `${verb} ${deleted.length} backup(s), ${formatBytes(
          decisions.filter((d) => !d.keep).reduce((sum, d) => sum + d.bytes, 0),
        )}`;
  const text =
    decisions.length === 0 ? 'no backups' : `${table(['', 'id', 'size', 'why'], rows)}\n${summary}`;
  return {
    json: { ok: true, dryRun, deleted: nothingDone && !dryRun ? [] : deleted, decisions },
    text,
  };
}
