import { planRestore, restoreBackup } from '../../backup/restore.js';
import { undoSql } from '../../deploy/deploy.js';
import { formatDuration } from '../../duration.js';
import { confirmTarget } from '../confirm.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { parseIntegerOption } from '../parse.js';
import type { Program } from '../root.js';

export function registerRestore(program: Program): void {
  program
    .command('restore')
    .description('restore a backup into a new database, or swap it in for an existing one')
    .argument(
      '<id>',
      'backup id (remote/NAME/TIMESTAMP or db/NAME/TIMESTAMP; SOURCE/latest, NAME/latest, a timestamp or latest when they name one source)',
    )
    .option('--to <name>', 'database to create, or to replace (the old one is kept, renamed)')
    .option('--remote <name>', "restore onto this remote's server instead of the project's")
    .option('--as-template', 'make a dbfast template <template_name>_backup_… instead')
    .option('--jobs <n>', 'parallel pg_restore jobs')
    .option('--no-acl', 'skip GRANT/REVOKE (roles of the source may not exist here)')
    .option('-y, --yes', 'confirm replacing an existing database')
    .option('--confirm <remote>', "with --yes and no terminal: the protected remote's name")
    .addHelpText(
      'after',
      `
The backup is checked first (checksums, pg_restore -l entry count, every file a regular
file inside the backup folder: nothing of a tampered archive runs), restored with
pg_restore --no-owner --exit-on-error into a scratch database beside the target, and swapped in by
ALTER DATABASE ... RENAME after the target's sessions are closed. The replaced database is
kept as <name>_old_<UTC timestamp> (printed), so a restore can be undone by renaming back.
If the restore fails midway the scratch database is dropped and the target is untouched.

Confirmation: replacing an existing database needs --yes or a "y" on a terminal. On a
remote whose environment is production or that has require_confirmation, every restore
needs --yes AND the remote's name typed when asked; with no terminal, pass
--yes --confirm NAME. Replacing a database on a remote also needs allow_destructive = true.
Refusals exit with code 2.

Examples:
  $ dbfast restore remote/prod/latest --to shop_copy
  $ dbfast restore remote/prod/20250102T030405Z --to shop_dev --yes
  $ dbfast restore prod/latest --as-template
  $ dbfast restore staging/latest --remote staging --to app --yes --confirm staging`,
    )
    .action(
      action(async (ctx, id, flags) => {
        const project = ctx.project();
        const options = {
          id,
          to: flags.to,
          remote: flags.remote,
          asTemplate: flags.asTemplate === true,
          jobs: flags.jobs === undefined ? undefined : parseIntegerOption(flags.jobs, '--jobs', 1),
          noAcl: flags.acl === false,
        };
        const plan = await planRestore(project, options);
        const where = plan.target.remote === undefined ? '' : ` on remote ${plan.target.remote}`;
        const { replace, typedRemote } = await confirmTarget({
          ...plan.target,
          replacing: plan.replacing,
          yes: flags.yes === true,
          confirm: flags.confirm,
          protectedQuestion: `Restore ${plan.id} into ${plan.database}${where}${plan.replacing ? ', replacing it' : ''}?`,
          replaceQuestion: `Replace database ${plan.database}${where} with backup ${plan.id} (the current one is kept, renamed)?`,
        });
        const result = await withInterrupt((signal) =>
          restoreBackup(project, { ...options, replace, typedRemote, signal }),
        );
        const lines = [
          result.existing
            ? `template ${result.database} already exists for ${result.id}; nothing to do`
            : `restored ${result.id} into ${result.asTemplate ? 'template ' : ''}${result.database}${where} in ${formatDuration(result.durationMs)}`,
        ];
        if (result.previous !== undefined) {
          lines.push(
            `previous database kept as ${result.previous}`,
            `undo: ${undoSql(result.database, result.previous)}`,
          );
        }
        return { json: { ok: true, ...result }, text: lines.join('\n') };
      }),
    );
}
