import type { Program } from '../root.js';
import { registerRemoteAdd } from './remote/add.js';
import { registerRemoteList } from './remote/list.js';
import { registerRemoteRemove } from './remote/remove.js';
import { registerRemoteTest } from './remote/test.js';

export function registerRemote(program: Program): void {
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
  registerRemoteList(remote);
  registerRemoteAdd(remote);
  registerRemoteRemove(remote);
  registerRemoteTest(remote);
}
