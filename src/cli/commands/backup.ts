import type { Program } from '../root.js';
import { registerBackupCreate } from './backup/create.js';
import { registerBackupList } from './backup/list.js';
import { registerBackupPrune } from './backup/prune.js';
import { registerBackupVerify } from './backup/verify.js';

export function registerBackup(program: Program): void {
  const backup = program
    .command('backup')
    .description(
      'logical backups with pg_dump: create, list, verify, prune (restore: dbfast restore)',
    )
    .addHelpText(
      'after',
      `
Backups are logical, per-database dumps (pg_dump custom or directory format) kept in
[backups] dir as remote/<name>/<UTC timestamp>/ or db/<name>/<UTC timestamp>/ (remotes and
local databases never share a folder) with a manifest.json of sha256 checksums. For
physical backups and point-in-time recovery use pgBackRest, Barman or WAL-G.

Examples:
  $ dbfast backup --remote prod
  $ dbfast backup --db myapp_dev --format directory --jobs 4 --compress zstd:3
  $ dbfast backup list
  $ dbfast backup verify --all
  $ dbfast backup prune --keep-last 7 --yes
  $ dbfast restore remote/prod/latest --to myapp_copy`,
    );
  registerBackupCreate(backup);
  registerBackupList(backup);
  registerBackupVerify(backup);
  registerBackupPrune(backup);
}
