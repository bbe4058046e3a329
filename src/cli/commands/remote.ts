import type { Command } from 'commander';
import { findConfigFile } from '../../config/load.js';
import { formatBytes } from '../../duration.js';
import { usageError } from '../../errors.js';
import { addRemote, removeRemote } from '../../remote/edit.js';
import { listRemotes } from '../../remote/remotes.js';
import { testRemote } from '../../remote/test.js';
import { action, type CommandContext } from '../context.js';
import { table } from '../output.js';
import { parseIntegerOption } from '../parse.js';

interface AddFlags {
  passwordEnv?: string;
  environment?: string;
  requireConfirmation?: boolean;
  allowDestructive?: boolean;
  backupBeforeDeploy?: boolean;
}

export function registerRemote(program: Command): void {
  const remote = program
    .command('remote')
    .description('named remote servers ([remotes.NAME] in dbfast.toml): list, add, remove, test')
    .addHelpText(
      'after',
      `
Passwords never go into dbfast.toml: name the environment variable that holds one with
--password-env, and dbfast passes it to PostgreSQL and to pg_dump (as PGPASSWORD) only.

Examples:
  $ dbfast remote add prod postgres://deploy@db.example.com:5432/app \\
      --password-env PROD_DB_PASSWORD --environment production --require-confirmation
  $ dbfast remote list
  $ dbfast remote test prod
  $ dbfast remote remove staging`,
    );

  remote
    .command('list')
    .description('list the remotes (host, database, user, environment; never a password)')
    .addHelpText('after', '\nExamples:\n  $ dbfast remote list\n  $ dbfast remote list --json')
    .action(
      action(async (ctx) => {
        const remotes = listRemotes(ctx.project().config);
        const rows = remotes.map((r) => [
          r.name,
          `${r.host}:${r.port}`,
          r.database,
          r.user,
          r.environment ?? '',
          r.passwordEnv === undefined ? '' : `${r.passwordEnv}${r.passwordSet ? '' : ' (unset)'}`,
          r.requireConfirmation ? 'yes' : 'no',
        ]);
        const text =
          remotes.length === 0
            ? 'no remotes (add one with `dbfast remote add NAME URL`)'
            : table(
                ['name', 'host', 'database', 'user', 'environment', 'password_env', 'confirm'],
                rows,
              );
        return { json: { ok: true, remotes }, text };
      }),
    );

  remote
    .command('add')
    .description('add [remotes.NAME] to dbfast.toml (the rest of the file is kept byte for byte)')
    .argument('<name>', 'remote name (letters, digits, _ and -)')
    .argument('<url>', 'postgres://user@host:port/database, WITHOUT a password')
    .option('--password-env <var>', 'environment variable that holds the password')
    .option('--environment <env>', 'environment of the remote (one of [environments.*])')
    .option(
      '--require-confirmation',
      'make destructive actions ask for the remote name to be typed',
    )
    .option('--allow-destructive', 'allow restores that replace an existing database there')
    .option('--no-backup-before-deploy', 'do not back the remote up before a deploy')
    .addHelpText(
      'after',
      `
Examples:
  $ dbfast remote add staging postgres://app@staging.internal/app --password-env STAGING_PW
  $ dbfast remote add prod postgres://deploy@db.example.com/app --password-env PROD_PW \\
      --environment production`,
    )
    .action(
      action(async (ctx, name: string, url: string, flags: AddFlags) => {
        const configPath = configFile(ctx);
        const added = await addRemote({
          configPath,
          name,
          url,
          passwordEnv: flags.passwordEnv,
          environment: flags.environment,
          requireConfirmation: flags.requireConfirmation,
          allowDestructive: flags.allowDestructive,
          // commander sets it to true by default; only the --no- form is worth writing.
          backupBeforeDeploy: flags.backupBeforeDeploy === false ? false : undefined,
        });
        return {
          json: { ok: true, configPath, remote: added },
          text: `added remote ${name} (${added.url}) to ${configPath}`,
        };
      }),
    );

  remote
    .command('remove')
    .description('remove [remotes.NAME] (exactly its lines) from dbfast.toml')
    .argument('<name>', 'remote name')
    .addHelpText('after', '\nExamples:\n  $ dbfast remote remove staging')
    .action(
      action(async (ctx, name: string) => {
        const configPath = configFile(ctx);
        await removeRemote({ configPath, name });
        return {
          json: { ok: true, configPath, removed: name },
          text: `removed remote ${name} from ${configPath}`,
        };
      }),
    );

  remote
    .command('test')
    .description('connect to a remote and report version, latency, rights, size, TLS and pg_dump')
    .argument('<name>', 'remote name')
    .option('--timeout <seconds>', 'give up connecting after this many seconds', '10')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast remote test prod\n  $ dbfast remote test prod --json',
    )
    .action(
      action(async (ctx, name: string, flags: { timeout: string }) => {
        const seconds = parseIntegerOption(flags.timeout, '--timeout', 1);
        const report = await testRemote(ctx.project(), name, { timeoutMs: seconds * 1000 });
        const { style } = ctx.output;
        const rights = [report.superuser ? 'superuser' : '', report.createdb ? 'createdb' : '']
          .filter((r) => r !== '')
          .join(', ');
        const lines = [
          `remote:    ${name} ${report.remote.url}`,
          `server:    PostgreSQL ${report.server.version}`,
          `latency:   ${report.latencyMs} ms round trip (connect ${report.connectMs} ms)`,
          `user:      ${report.currentUser}${rights === '' ? ' (no superuser, no createdb)' : ` (${rights})`}`,
          `database:  ${report.remote.database}, ${formatBytes(report.databaseSizeBytes)}`,
          `tls:       ${report.tls.enabled ? `yes, ${report.tls.version} ${report.tls.cipher}` : 'no'}`,
          report.pgDump.ok
            ? `pg_dump:   ${style.green(`${report.pgDump.version} can dump it`)} (${report.pgDump.path})`
            : `pg_dump:   ${style.red('cannot dump it')}: ${report.pgDump.problem}`,
        ];
        return { json: { ok: true, ...report }, text: lines.join('\n') };
      }),
    );
}

/** The dbfast.toml that remote add/remove edit (found like every command finds it). */
function configFile(ctx: CommandContext): string {
  const path = findConfigFile(process.cwd(), ctx.globals.config);
  if (path === undefined) {
    throw usageError(
      'config.not_found',
      'No dbfast.toml here or in a parent folder.',
      'Run `dbfast init` first, or pass --config PATH.',
    );
  }
  return path;
}
