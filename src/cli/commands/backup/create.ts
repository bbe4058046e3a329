import { createBackup } from '../../../backup/take-backup.js';
import type { BackupFormat } from '../../../config/types.js';
import { formatBytes, formatDuration } from '../../../duration.js';
import { usageError } from '../../../errors.js';
import { action } from '../../context.js';
import { withInterrupt } from '../../interrupt.js';
import { parseIntegerOption } from '../../parse.js';
import type { CommandGroup } from '../../root.js';

export function registerBackupCreate(backup: CommandGroup): void {
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
      action(async (ctx, flags) => {
        const format = backupFormat(flags.format);
        const result = await withInterrupt((signal) =>
          createBackup(ctx.project(), {
            remote: flags.remote,
            db: flags.db,
            format,
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
}

/** --format's value: custom, directory, or (not given) the library's default. */
function backupFormat(text: string | undefined): BackupFormat | undefined {
  if (text === undefined || text === 'custom' || text === 'directory') return text;
  throw usageError('usage', `--format must be custom or directory, got "${text}".`);
}
