import { addRemote } from '../../../remote/edit.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';
import { configFile } from './config-file.js';

export function registerRemoteAdd(remote: CommandGroup): void {
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
      action(async (ctx, name, url, flags) => {
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
}
