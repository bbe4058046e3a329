import type { Command } from 'commander';
import { sourceFilterOf } from '../../backup/source.js';
import { verifyAllBackups, verifyBackup } from '../../backup/verify.js';
import type { BackupFormat } from '../../config/types.js';
import { formatBytes, formatDuration } from '../../duration.js';
import { usageError } from '../../errors.js';
import { createBackup, DbfastError, listBackups } from '../../index.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { table } from '../output.js';
import { parseIntegerOption } from '../parse.js';
import { registerBackupPrune } from './backup-prune.js';

interface CreateFlags {
  remote?: string;
  db?: string;
  format?: string;
  jobs?: string;
  compress?: string;
  label?: string;
}

export function registerBackup(program: Command): void {
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

  backup
    .command('create', { isDefault: true })
    .description('dump a remote (--remote NAME) or a database of this project (--db NAME)')
    .option('--remote <name>', 'back up this remote ([remotes.NAME]; its URL names the database)')
    .option('--db <name>', "back up this database on the project's own server")
    .option('--format <format>', 'custom (one file) or directory (parallel with --jobs)')
    .option('--jobs <n>', 'parallel dump jobs (directory format only)')
    .option(
      '--compress <method>',
      'gzip | lz4 | zstd, optionally :LEVEL (lz4/zstd need pg_dump 16+)',
    )
    .option('--label <text>', 'a note stored in the manifest')
    .addHelpText(
      'after',
      `
"dbfast backup ..." and "dbfast backup create ..." are the same command. Ctrl-C stops
pg_dump and removes the unfinished folder: nothing half-written ever looks complete.

Examples:
  $ dbfast backup --remote prod --label "before migration 42"
  $ dbfast backup --db shop_dev --json`,
    )
    .action(
      action(async (ctx, flags: CreateFlags) => {
        const format = flags.format;
        if (format !== undefined && format !== 'custom' && format !== 'directory') {
          throw usageError('usage', `--format must be custom or directory, got "${format}".`);
        }
        const result = await withInterrupt((signal) =>
          createBackup(ctx.project(), {
            remote: flags.remote,
            db: flags.db,
            format: format as BackupFormat | undefined,
            jobs:
              flags.jobs === undefined ? undefined : parseIntegerOption(flags.jobs, '--jobs', 1),
            compress: flags.compress,
            label: flags.label,
            signal,
          }),
        );
        const m = result.manifest;
        const text = [
          `backup ${result.id}`,
          `  ${m.database} on ${m.source.host}:${m.source.port}, PostgreSQL ${m.server.version}, pg_dump ${m.pgDump.version}`,
          `  ${m.format}, ${m.compression} compression, ${formatBytes(m.bytes)}, ${m.entries} entries, ${formatDuration(m.durationMs)}`,
          `  verified: checksums recorded, archive readable (${result.dir})`,
        ].join('\n');
        return { json: { ok: true, id: result.id, dir: result.dir, manifest: m }, text };
      }),
    );

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
      action(async (ctx, flags: { remote?: string; db?: string }) => {
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
      action(async (ctx, id: string | undefined, flags: { all?: boolean }) => {
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

  registerBackupPrune(backup);
}
