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
 * The backup folder layout: `<backups.dir>/remote/<name>/<UTC timestamp>/` for remotes and
 * `<backups.dir>/db/<name>/<UTC timestamp>/` for databases on the project's own server, the
 * name percent-encoded (injective: two sources never share a folder, on case-insensitive file
 * systems too). A backup is written in `.partial-…` and renamed into place only when complete.
 * A backup's id is its path below the backups folder. Folders starting with `.` are never
 * listed as backups.
 *
 * Folders of dbfast 0.1.0 (`<backups.dir>/<cleaned name>/<timestamp>/`, where different
 * sources could share a folder) are still read, where they are: which source a backup is of
 * always comes from its manifest, so `latest`, prune and restore never mix two sources.
 */

export type SourceKind = 'remote' | 'database';

/** One source of backups: a remote, or a database on the project's server. */
export interface SourceFilter {
  kind: SourceKind;
  name: string;
}

export interface BackupEntry {
  id: string;
  /** The source, as `remote/<name>` or `db/<name>` (or the 0.1.0 folder, without a manifest). */
  source: string;
  dir: string;
  manifest: BackupManifest | undefined;
  verification: VerificationRecord | undefined;
  /** Why this folder is not a usable backup (manifest missing or unreadable). */
  problem: string | undefined;
}

const NAMESPACE: Record<SourceKind, string> = { remote: 'remote', database: 'db' };

/** `<namespace>/<encoded name>`: the folder of a source, relative to the backups folder. */
export function sourcePath(source: SourceFilter): string {
  return `${NAMESPACE[source.kind]}/${encodeSegment(source.name)}`;
}

/** The source key of a source: `remote/<name>` or `db/<name>` (the name as it is). */
export function sourceKey(source: SourceFilter): string {
  return `${NAMESPACE[source.kind]}/${source.name}`;
}

/**
 * A name as one folder name: every byte outside `[a-z0-9_-]` becomes `%XX`. Injective (so
 * `a'b`, `a\b`, `my app`, `my_app`, `App` and `app` all get their own folder), never empty
 * for a non-empty name, never starting with a dot.
 */
export function encodeSegment(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[a-z0-9_-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The name a folder encodes (the folder name itself when it is not an encoding). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `20250102T030405Z`: sorts by time, safe in paths, readable. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');
}

const STAMP = /^\d{8}T\d{6}Z(-\d+)?$/;

/** Every backup under the backups folder (optionally of one source), newest first. */
export async function listBackupEntries(
  backupsDir: string,
  source?: SourceFilter,
): Promise<BackupEntry[]> {
  if (!existsSync(backupsDir)) return [];
  const entries: BackupEntry[] = [];
  const add = async (relative: string, fallbackSource: string): Promise<void> => {
    const dir = join(backupsDir, ...relative.split('/'));
    for (const stamp of await visibleDirs(dir)) {
      entries.push(await readEntry(join(dir, stamp), `${relative}/${stamp}`, fallbackSource));
    }
  };
  for (const top of await visibleDirs(backupsDir)) {
    const kind = (Object.keys(NAMESPACE) as SourceKind[]).find((k) => NAMESPACE[k] === top);
    const children = await visibleDirs(join(backupsDir, top));
    // A 0.1.0 source folder (its children are timestamps), or a namespace of this layout.
    if (kind === undefined || children.some((child) => STAMP.test(child))) {
      await add(top, top);
      continue;
    }
    for (const child of children) {
      await add(`${top}/${child}`, `${top}/${decodeSegment(child)}`);
    }
  }
  const wanted = source === undefined ? undefined : sourceKey(source);
  return entries
    .filter((e) => wanted === undefined || e.source === wanted)
    .sort((a, b) => startedAt(b).localeCompare(startedAt(a)) || b.id.localeCompare(a.id));
}

/**
 * Resolve what a user typed: an id (`remote/prod/<timestamp>`), `<source>/<timestamp>`,
 * `<source>/latest`, a bare timestamp or `latest`, where `<source>` is `remote/NAME`,
 * `db/NAME` or a bare NAME. Only complete backups (with a readable manifest) resolve, and a
 * form that would match backups of two different sources is refused, never guessed.
 */
export async function findBackup(backupsDir: string, id: string): Promise<BackupEntry> {
  const all = (await listBackupEntries(backupsDir)).filter((e) => e.manifest !== undefined);
  const slash = id.lastIndexOf('/');
  const leaf = slash === -1 ? id : id.slice(slash + 1);
  const prefix = slash === -1 ? undefined : id.slice(0, slash);
  let matches = all.filter((e) => e.id === id);
  if (matches.length === 0) {
    const ofSource =
      prefix === undefined ? all : all.filter((e) => sourceAliases(e).includes(prefix));
    matches =
      leaf === 'latest'
        ? ofSource
        : ofSource.filter((e) => e.id.slice(e.id.lastIndexOf('/') + 1) === leaf);
  }
  const sources = [...new Set(matches.map((m) => m.source))];
  if (sources.length > 1) {
    throw usageError(
      'backup.ambiguous',
      `Backup id "${id}" matches backups of ${sources.length} sources: ${sources.join(', ')}.`,
      `Name the source: ${sources.map((s) => `${s}/${leaf}`).join(' or ')}.`,
    );
  }
  if (leaf !== 'latest' && matches.length > 1) {
    throw usageError(
      'backup.ambiguous',
      `Backup id "${id}" matches ${matches.map((m) => m.id).join(', ')}.`,
      'Give the full id.',
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

/** The ways a user may name an entry's source: `remote/prod`, the folder path, `prod`. */
function sourceAliases(entry: BackupEntry): string[] {
  const source = entry.manifest?.source;
  const aliases = [entry.source, entry.id.slice(0, entry.id.lastIndexOf('/'))];
  if (source !== undefined) aliases.push(source.name, sourcePath(source));
  return aliases;
}

async function readEntry(dir: string, id: string, folder: string): Promise<BackupEntry> {
  try {
    const manifest = await readManifest(dir);
    return {
      id,
      // Which source it is of comes from the manifest, never from a (0.1.0, lossy) folder.
      source:
        manifest.source?.kind === undefined || manifest.source.name === undefined
          ? folder
          : sourceKey(manifest.source),
      dir,
      manifest,
      verification: await readVerification(dir),
      problem: undefined,
    };
  } catch (error) {
    return {
      id,
      source: folder,
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
