import { verifyAllBackups, verifyBackup } from '../../../backup/verify.js';
import { DbfastError, usageError } from '../../../errors.js';
import { action } from '../../context.js';
import { withInterrupt } from '../../interrupt.js';
import type { CommandGroup } from '../../root.js';

export function registerBackupVerify(backup: CommandGroup): void {
  backup
    .command('verify')
    .description('check every checksum and read the archive with pg_restore -l')
    .argument(
      '[id]',
      'backup id (remote/NAME/TIMESTAMP or db/NAME/TIMESTAMP; SOURCE/latest, NAME/latest, a timestamp or latest when they name one source)',
    )
    .option('--all', 'verify every backup')
    .addHelpText(
      'after',
      `
The result is recorded in verified.json beside the manifest (see "backup list"); prune
never deletes the newest verified backup of a source. Exit code 1 when any check fails.

Examples:
  $ dbfast backup verify remote/prod/20250102T030405Z
  $ dbfast backup verify --all --json`,
    )
    .action(
      action(async (ctx, id, flags) => {
        if ((id === undefined) === (flags.all !== true)) {
          throw usageError('usage', 'Give a backup id or --all (not both).');
        }
        const project = ctx.project();
        const results = await withInterrupt((signal) =>
          id === undefined
            ? verifyAllBackups(project, { signal })
            : verifyBackup(project, id, { signal }).then((r) => [r]),
        );
        const failed = results.filter((r) => !r.ok);
        const text = results
          .map((r) =>
            r.ok
              ? `${ctx.output.style.green('ok')}      ${r.id} (${r.entries} entries)`
              : `${ctx.output.style.red('FAILED')}  ${r.id}\n${r.problems.map((p) => `        ${p}`).join('\n')}`,
          )
          .join('\n');
        if (failed.length > 0) {
          throw new DbfastError(
            'backup.verify_failed',
            `${failed.length} of ${results.length} backup(s) failed verification:\n${text}`,
            {
              hint: 'A damaged backup cannot be trusted for a restore; make a new one.',
              problems: failed.flatMap((r) => r.problems.map((p) => `${r.id}: ${p}`)),
            },
          );
        }
        return { json: { ok: true, results }, text: text === '' ? 'no backups' : text };
      }),
    );
}
