import { deployTemplate } from '../../deploy/deploy.js';
import { type DeployPlan, planDeploy } from '../../deploy/plan.js';
import { formatDuration } from '../../duration.js';
import { confirmTarget } from '../confirm.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import type { Program } from '../root.js';

export function registerDeploy(program: Program): void {
  program
    .command('deploy')
    .description("make a remote's database match an environment's template")
    .requiredOption('--remote <name>', 'the remote ([remotes.NAME]) to deploy to')
    .option('-e, --env <name>', "environment to deploy (default: the remote's environment)")
    .option('--dry-run', 'print the plan (what is built, backed up, replaced); change nothing')
    .option('--no-backup', "skip the backup first (default: the remote's backup_before_deploy)")
    .option('--no-acl', "skip GRANT/REVOKE (the template's roles may not exist on the remote)")
    .option('-y, --yes', 'confirm replacing the remote database')
    .option('--confirm <remote>', "with --yes and no terminal: the protected remote's name")
    .addHelpText(
      'after',
      `
Steps: validate the environment; build its template when stale; back the remote database
up (when it exists and backup_before_deploy, the default) and verify the backup, stopping if
it does not verify; stream pg_dump of the template | pg_restore into a scratch database on
the remote (no temporary file); check every table's row count against the template; swap it
in by ALTER DATABASE ... RENAME. The replaced database is kept as <name>_old_<UTC timestamp>
and the exact SQL to undo is printed. A failure before the swap drops the scratch database:
the remote is left as it was.

Protections (refusals exit with code 2): replacing needs --yes (or a "y" on a terminal); a
remote with allow_destructive = false only receives a deploy when its database does not
exist yet; a remote with require_confirmation, or a production environment, needs --yes and
its name typed (scripts: --yes --confirm NAME).

pg_dump must be at least as new as both servers; the error says which to install.

Examples:
  $ dbfast deploy --remote staging --dry-run
  $ dbfast deploy --remote staging --yes
  $ dbfast deploy --remote prod --env production --yes --confirm prod
  $ dbfast deploy --remote review --no-backup --yes --json`,
    )
    .action(
      action(async (ctx, flags) => {
        const project = ctx.project();
        const options = {
          remote: flags.remote,
          env: flags.env,
          // --no-backup turns it off; otherwise the remote's backup_before_deploy decides.
          backup: flags.backup === false ? false : undefined,
          noAcl: flags.acl === false,
        };
        const plan = await planDeploy(project, options);
        if (flags.dryRun === true) {
          return { json: { ok: true, dryRun: true, plan }, text: planText(plan) };
        }
        const confirmed = await confirmTarget({
          remote: plan.remote,
          protectedRemote: plan.protectedRemote,
          allowReplace: plan.allowReplace,
          replacing: plan.replacing,
          yes: flags.yes === true,
          confirm: flags.confirm,
          protectedQuestion: `Deploy ${plan.env} to ${plan.database} on remote ${plan.remote}${plan.replacing ? ', replacing it' : ''}?`,
          replaceQuestion: `Replace ${plan.database} on remote ${plan.remote} with the ${plan.env} template (the current one is kept, renamed)?`,
        });
        const result = await withInterrupt((signal) =>
          deployTemplate(project, { ...options, ...confirmed, signal }),
        );
        const lines = [
          `deployed ${result.env} (${result.template}${result.templateBuilt ? ', built' : ''}) to ${result.database} on remote ${result.remote} in ${formatDuration(result.durationMs)}`,
          `verified: ${result.tables} tables, ${result.rows} rows, as in the template`,
        ];
        if (result.backup !== undefined) lines.push(`backup first: ${result.backup} (verified)`);
        if (result.previous !== undefined) {
          lines.push(`previous database kept as ${result.previous}`, `undo: ${result.undo}`);
        }
        // The result is printed now; the process stays alive until the local clone is
        // dropped (`finished`: an open connection keeps Node's event loop running).
        const { finished: _, ...json } = result;
        return { json: { ok: true, ...json }, text: lines.join('\n') };
      }),
    );
}

/** The --dry-run plan, one step a line. */
function planText(plan: DeployPlan): string {
  const lines = [
    `deploy plan: environment ${plan.env} -> ${plan.database} on remote ${plan.remote} (${plan.server})`,
    plan.template.build
      ? `  build template ${plan.template.name} (missing or stale)`
      : `  template ${plan.template.name} is current`,
    plan.backup
      ? `  back up ${plan.database} first, and verify the backup`
      : `  no backup (${plan.exists ? 'backup_before_deploy is off' : 'the database does not exist yet'})`,
    '  stream pg_dump | pg_restore into a scratch database, verify row counts',
    plan.replacing
      ? `  replace ${plan.database}, keeping it as ${plan.database}_old_<timestamp>`
      : `  create ${plan.database}`,
  ];
  if ('problem' in plan.tools) lines.push(`  cannot run: ${plan.tools.problem}`);
  else lines.push(`  with pg_dump ${plan.tools.pgDump}`);
  if (plan.replacing && !plan.allowReplace) {
    lines.push(`  REFUSED: allow_destructive is false and ${plan.database} exists`);
  } else if (plan.protectedRemote) {
    lines.push(`  needs --yes --confirm ${plan.remote}`);
  } else if (plan.replacing) {
    lines.push('  needs --yes');
  }
  for (const warning of plan.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}
