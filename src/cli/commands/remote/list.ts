import { listRemotes } from '../../../remote/remotes.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import type { CommandGroup } from '../../root.js';

export function registerRemoteList(remote: CommandGroup): void {
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
}
