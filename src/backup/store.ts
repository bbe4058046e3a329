import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import {
  type BackupManifest,
  readManifest,
  readVerification,
  type VerificationRecord,
} from './manifest.js';

/**
 * The backup folder layout: `<backups.dir>/<source>/<UTC timestamp>/`, where a backup is
 * written in `<source>/.partial-…` and renamed into place only when complete. A backup's id
 * is `<source>/<timestamp>`. Folders starting with `.` are never listed as backups.
 */

export interface BackupEntry {
  id: string;
  /** The folder name of the source (remote or database). */
  source: string;
  dir: string;
  manifest: BackupManifest | undefined;
  verification: VerificationRecord | undefined;
  /** Why this folder is not a usable backup (manifest missing or unreadable). */
  problem: string | undefined;
}

/** A folder name for a source: safe on every file system, never starting with a dot. */
export function sourceSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return safe === '' ? '_' : safe;
}

/** `20250102T030405Z`: sorts by time, safe in paths, readable. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');
}

/** Every backup under the backups folder (optionally of one source), newest first. */
export async function listBackupEntries(
  backupsDir: string,
  source?: string,
): Promise<BackupEntry[]> {
  if (!existsSync(backupsDir)) return [];
  const sources = source === undefined ? await visibleDirs(backupsDir) : [sourceSegment(source)];
  const entries: BackupEntry[] = [];
  for (const src of sources) {
    const srcDir = join(backupsDir, src);
    if (!existsSync(srcDir)) continue;
    for (const stamp of await visibleDirs(srcDir)) {
      entries.push(await readEntry(join(srcDir, stamp), `${src}/${stamp}`, src));
    }
  }
  return entries.sort(
    (a, b) => startedAt(b).localeCompare(startedAt(a)) || b.id.localeCompare(a.id),
  );
}

/**
 * Resolve what a user typed: `source/timestamp`, a bare timestamp (when unique),
 * `source/latest` or `latest`. Only complete backups (with a readable manifest) resolve.
 */
export async function findBackup(backupsDir: string, id: string): Promise<BackupEntry> {
  const all = (await listBackupEntries(backupsDir)).filter((e) => e.manifest !== undefined);
  const [first, second] = id.split('/');
  let matches: BackupEntry[];
  if (second === undefined) {
    matches = first === 'latest' ? all.slice(0, 1) : all.filter((e) => e.id.endsWith(`/${first}`));
  } else {
    const ofSource = all.filter((e) => e.source === sourceSegment(first ?? ''));
    matches = second === 'latest' ? ofSource.slice(0, 1) : ofSource.filter((e) => e.id === id);
  }
  if (matches.length > 1) {
    throw usageError(
      'backup.ambiguous',
      `Backup id "${id}" matches ${matches.map((m) => m.id).join(', ')}.`,
      'Give the full id, source/timestamp.',
    );
  }
  const match = matches[0];
  if (match === undefined) {
    throw usageError(
      'backup.not_found',
      `No backup "${id}" in ${backupsDir}.`,
      '`dbfast backup list` shows the backups and their ids.',
    );
  }
  return match;
}

async function readEntry(dir: string, id: string, source: string): Promise<BackupEntry> {
  try {
    const manifest = await readManifest(dir);
    return {
      id,
      source,
      dir,
      manifest,
      verification: await readVerification(dir),
      problem: undefined,
    };
  } catch (error) {
    return {
      id,
      source,
      dir,
      manifest: undefined,
      verification: undefined,
      problem: (error as Error).message,
    };
  }
}

function startedAt(entry: BackupEntry): string {
  return entry.manifest?.startedAt ?? '';
}

async function visibleDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}
