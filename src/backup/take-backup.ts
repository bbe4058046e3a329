import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupFormat } from '../config/types.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { withClient } from '../server/connection.js';
import { type ServerInfo, serverInfo } from '../server/info.js';
import { findPgTool, listPgTools, type PgTool, type PgToolName } from '../server/pg-tools.js';
import { VERSION } from '../version.js';
import { archiveFiles, describeFiles } from './checksum.js';
import { countListEntries, type DumpSettings, dumpCommand, listCommand } from './commands.js';
import {
  type Compression,
  compressionMinMajor,
  formatCompression,
  parseCompression,
} from './compression.js';
import { runTool, throwIfAborted } from './exec.js';
import {
  ARCHIVE_NAME,
  type BackupManifest,
  MANIFEST_FILE,
  type ManifestFile,
  VERIFIED_FILE,
  writeJsonAtomic,
} from './manifest.js';
import { claimPartial, releasePartial, removeAbandonedPartials } from './partial.js';
import { type BackupSource, resolveSource, type SourceOptions } from './source.js';
import { backupStamp, sourcePath } from './store.js';

/** What `createBackup` dumps (exactly one of `remote` or `db`, a database on the project's server) and how. */
export interface CreateBackupOptions extends SourceOptions {
  /** Default: `[backups] format`. */
  format?: BackupFormat | undefined;
  /** Parallel dump jobs (directory format only). Default: `[backups] jobs`. */
  jobs?: number | undefined;
  /** `gzip|lz4|zstd[:LEVEL]` or `none`. Default: `[backups] compress`, else pg_dump's default. */
  compress?: string | undefined;
  label?: string | undefined;
  /** Aborting (Ctrl-C) kills pg_dump and removes the partial folder. */
  signal?: AbortSignal | undefined;
}

/** A finished backup: its id, its folder and its manifest (which never holds a password). */
export interface BackupResult {
  id: string;
  dir: string;
  manifest: BackupManifest;
}

/**
 * Dump one database into `<backups.dir>/<source>/<timestamp>/`. The dump is written into a
 * `.partial-…` folder, checksummed, listed with `pg_restore -l`, given its manifest last and
 * only then renamed into place: a failure or an interrupt leaves nothing that looks complete.
 */
export async function createBackup(
  project: Project,
  options: CreateBackupOptions,
): Promise<BackupResult> {
  const { config, reporter } = project;
  const settings = dumpSettings(project, options);
  const source = await resolveSource(project, options);
  const progress = (done: number, label: string): void =>
    reporter.progress?.({ task: `backup ${source.name}`, done, total: 4, label });
  progress(0, 'connecting');
  const tools = await chooseTools(project, source, settings.compression);

  const started = new Date();
  const sourceDir = join(config.backups.dir, ...sourcePath(source).split('/'));
  const partial = join(sourceDir, `.partial-${backupStamp(started)}-${process.pid}`);
  await mkdir(sourceDir, { recursive: true, mode: 0o700 });
  // What killed backups left (their process is gone) goes before this one adds to the disk.
  await removeAbandonedPartials(config.backups.dir);
  await mkdir(partial, { mode: 0o700 });
  try {
    await claimPartial(partial);
    progress(1, `pg_dump ${source.database}`);
    const { files, entries } = await dumpInto(partial, source, tools, settings, options, () =>
      progress(2, 'checksums, pg_restore -l'),
    );
    progress(3, 'manifest');
    const finished = new Date();
    const { dir, id } = freeFolder(sourceDir, sourcePath(source), started);
    const manifest: BackupManifest = {
      manifestVersion: 1,
      dbfast: VERSION,
      id,
      source: {
        kind: source.kind,
        name: source.name,
        host: source.params.host,
        port: source.params.port,
        user: source.params.user,
        environment: source.environment,
      },
      database: source.database,
      label: options.label,
      server: { version: tools.server.version, major: tools.server.major },
      pgDump: { version: tools.pgDump.version, major: tools.pgDump.major },
      format: settings.format,
      archive: ARCHIVE_NAME,
      compression: formatCompression(settings.compression),
      jobs: settings.jobs,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
      entries,
      files,
    };
    await seal(partial, manifest, tools.pgRestore, options.signal);
    await rename(partial, dir);
    progress(4, 'done');
    return { id, dir, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Format, jobs and compression from the options, else `[backups]`; --jobs needs -Fd. */
function dumpSettings(project: Project, options: CreateBackupOptions): DumpSettings {
  const { backups } = project.config;
  const format = options.format ?? backups.format;
  const spec = options.compress ?? backups.compress;
  if (format === 'custom' && options.jobs !== undefined && options.jobs > 1) {
    throw usageError(
      'backup.jobs_format',
      'Parallel dumps (--jobs) need the directory format.',
      'Add --format directory, or drop --jobs.',
    );
  }
  return {
    format,
    jobs: format === 'directory' ? (options.jobs ?? backups.jobs) : 1,
    compression: spec === undefined ? undefined : parseCompression(spec),
  };
}

interface DumpTools {
  server: ServerInfo;
  pgDump: PgTool;
  pgRestore: PgTool;
}

/**
 * The server's version, and the pg_dump (new enough for that server and the compression)
 * and pg_restore (new enough to read that pg_dump's archives) to use. The tools are listed
 * while the server answers: the choice needs its version.
 */
async function chooseTools(
  project: Project,
  source: BackupSource,
  compression: Compression | undefined,
): Promise<DumpTools> {
  const search = { binDir: project.config.server.binDir };
  const where = `${source.params.host}:${source.params.port}`;
  const direct = (name: PgToolName) => listPgTools(name, search, { wrappers: false });
  const [server, dumps, restores] = await Promise.all([
    withClient(source.params, serverInfo, { database: source.database }),
    direct('pg_dump'),
    direct('pg_restore'),
  ]);
  const needs = [{ major: server.major, purpose: `dump PostgreSQL ${server.version} at ${where}` }];
  if (compressionMinMajor(compression) > 0) {
    needs.push({
      major: compressionMinMajor(compression),
      purpose: `write ${compression?.method} compression`,
    });
  }
  const pgDump = await findPgTool('pg_dump', needs, search, dumps);
  const pgRestore = await findPgTool(
    'pg_restore',
    [{ major: pgDump.major, purpose: `read archives of pg_dump ${pgDump.version}` }],
    search,
    restores,
  );
  return { server, pgDump, pgRestore };
}

/** pg_dump into `partial`, then the archive's checksums and its `pg_restore -l` entries. */
async function dumpInto(
  partial: string,
  source: BackupSource,
  tools: DumpTools,
  settings: DumpSettings,
  options: CreateBackupOptions,
  dumped: () => void,
): Promise<{ files: ManifestFile[]; entries: number }> {
  const archive = join(partial, ARCHIVE_NAME);
  await runTool(
    dumpCommand(tools.pgDump, source.params, source.database, archive, settings),
    options,
  );
  throwIfAborted(options.signal);
  dumped();
  // Both read the finished archive: side by side, the checksums cost no extra wall time.
  const [files, listing] = await Promise.all([
    archiveFiles(partial, archive).then((paths) => describeFiles(partial, paths, options.signal)),
    runTool(listCommand(tools.pgRestore, archive), options),
  ]);
  return { files, entries: countListEntries(listing.stdout) };
}

/**
 * Write the verification record, then the manifest (last: a folder with a manifest is a
 * complete backup), and release the partial folder for the rename.
 */
async function seal(
  partial: string,
  manifest: BackupManifest,
  pgRestore: PgTool,
  signal: AbortSignal | undefined,
): Promise<void> {
  // The checksums were just taken from the files on disk and pg_restore read the whole
  // table of contents: that is a verification, recorded as such.
  await writeJsonAtomic(join(partial, VERIFIED_FILE), {
    ok: true,
    verifiedAt: manifest.finishedAt,
    by: 'backup',
    entries: manifest.entries,
    problems: [],
    pgRestore: pgRestore.version,
    dbfast: VERSION,
  });
  await writeJsonAtomic(join(partial, MANIFEST_FILE), manifest);
  throwIfAborted(signal);
  await releasePartial(partial);
}

/** The first unused `<timestamp>` (or `<timestamp>-N`) folder of a source (`name`: its path). */
function freeFolder(sourceDir: string, name: string, date: Date): { dir: string; id: string } {
  const stamp = backupStamp(date);
  for (let n = 1; ; n += 1) {
    const leaf = n === 1 ? stamp : `${stamp}-${n}`;
    const dir = join(sourceDir, leaf);
    if (!existsSync(dir)) return { dir, id: `${name}/${leaf}` };
  }
}
