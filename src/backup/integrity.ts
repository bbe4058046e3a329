import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { findPgTool, type PgTool } from '../server/pg-tools.js';
import { checkFiles } from './checksum.js';
import { countListEntries, listCommand } from './commands.js';
import { runTool, throwIfAborted } from './exec.js';
import type { BackupManifest } from './manifest.js';

/** What checking a backup folder against its manifest found. */
export interface IntegrityReport {
  /** One line per problem, each naming the file it concerns; empty when intact. */
  problems: string[];
  /** Entries `pg_restore -l` listed, when it could read the archive. */
  entries: number | undefined;
  /** Version of the pg_restore that read it. */
  pgRestore: string | undefined;
}

/**
 * Everything that can be checked without running the archive's SQL: every file a regular
 * file inside the folder with its sha256 (see checkFiles), nothing unlisted, and
 * `pg_restore -l` reading the whole table of contents with the manifest's entry count.
 * Both `backup verify` and `restore` (before pg_restore runs anything) use it.
 */
export async function checkIntegrity(
  dir: string,
  manifest: BackupManifest,
  tool: PgTool | Promise<PgTool>,
  signal?: AbortSignal,
): Promise<IntegrityReport> {
  const problems = await checkFiles(dir, manifest, signal);
  throwIfAborted(signal);
  // A file that is not what the manifest says is not handed to pg_restore, not even -l.
  if (problems.length > 0) return { problems, entries: undefined, pgRestore: undefined };
  const archive = join(dir, manifest.archive);
  let entries: number | undefined;
  let pgRestore: string | undefined;
  try {
    const resolved = await tool;
    pgRestore = resolved.version;
    entries = countListEntries((await runTool(listCommand(resolved, archive), { signal })).stdout);
    if (entries !== manifest.entries) {
      problems.push(
        `${manifest.archive}: pg_restore -l lists ${entries} entries, manifest says ${manifest.entries}`,
      );
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'interrupted') throw error;
    problems.push(`${manifest.archive}: pg_restore -l failed: ${errorMessage(error)}`);
  }
  return { problems, entries, pgRestore };
}

/**
 * Start looking for a pg_restore that reads this backup's archives. The promise's rejection
 * is handled here: callers await it (and meet the error) only where they need the tool.
 */
export function findArchiveReader(
  manifest: BackupManifest,
  binDir: string | undefined,
): Promise<PgTool> {
  const finding = findPgTool(
    'pg_restore',
    [
      {
        major: manifest.pgDump.major,
        purpose: `read archives of pg_dump ${manifest.pgDump.version}`,
      },
    ],
    { binDir },
  );
  finding.catch(() => undefined);
  return finding;
}
