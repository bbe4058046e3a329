import { join } from 'node:path';
import type { Project } from '../project.js';
import { VERSION } from '../version.js';
import { checkIntegrity, findArchiveReader } from './integrity.js';
import { VERIFIED_FILE, type VerificationRecord, writeJsonAtomic } from './manifest.js';
import { type BackupEntry, findBackup, listBackupEntries, type SourceFilter } from './store.js';

/**
 * `dbfast backup verify`: every file's size and sha256 against the manifest, no file
 * missing or added, and `pg_restore -l` reading the whole table of contents with the
 * manifest's entry count. The result is recorded in verified.json beside the manifest.
 */

export interface VerifyResult {
  id: string;
  ok: boolean;
  /** One line per problem, each naming the file it concerns. */
  problems: string[];
  entries: number | undefined;
  verifiedAt: string;
}

export interface VerifyOptions {
  signal?: AbortSignal | undefined;
}

/** Verify one backup by id (see findBackup for the accepted forms). */
export async function verifyBackup(
  project: Project,
  id: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  return verifyEntry(project, await findBackup(project.config.backups.dir, id), options);
}

/** Verify every backup (of one source, if given); folders without a manifest fail. */
export async function verifyAllBackups(
  project: Project,
  options: VerifyOptions & { source?: SourceFilter | undefined } = {},
): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  const entries = await listBackupEntries(project.config.backups.dir, options.source);
  for (const [index, entry] of entries.entries()) {
    project.reporter.progress?.({
      task: 'verify',
      done: index,
      total: entries.length,
      label: entry.id,
    });
    results.push(await verifyEntry(project, entry, options));
  }
  return results;
}

async function verifyEntry(
  project: Project,
  entry: BackupEntry,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const verifiedAt = new Date().toISOString();
  const manifest = entry.manifest;
  if (manifest === undefined) {
    return {
      id: entry.id,
      ok: false,
      problems: [entry.problem ?? 'manifest missing'],
      entries: undefined,
      verifiedAt,
    };
  }
  const tool = findArchiveReader(manifest, project.config.server.binDir);
  const { problems, entries, pgRestore } = await checkIntegrity(
    entry.dir,
    manifest,
    tool,
    options.signal,
  );
  const record: VerificationRecord = {
    ok: problems.length === 0,
    verifiedAt,
    by: 'verify',
    entries,
    problems,
    pgRestore,
    dbfast: VERSION,
  };
  await writeJsonAtomic(join(entry.dir, VERIFIED_FILE), record);
  return { id: entry.id, ok: record.ok, problems, entries, verifiedAt };
}
