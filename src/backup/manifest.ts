import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupFormat } from '../config/types.js';
import { DbfastError, errorMessage } from '../errors.js';
import { fileSystemError } from '../server/failures.js';

/**
 * manifest.json describes a finished backup and is written last; verified.json records
 * the latest verification beside it. Neither ever holds a password: only host, port, user
 * and database names.
 */

export const MANIFEST_FILE = 'manifest.json';
export const VERIFIED_FILE = 'verified.json';
/** The archive inside a backup folder: a file (custom format) or a folder (directory). */
export const ARCHIVE_NAME = 'dump';

export interface ManifestFile {
  /** Relative to the backup folder, with `/` separators. */
  path: string;
  bytes: number;
  sha256: string;
}

/** The `manifest.json` of a backup folder: what was dumped, how, and every file's checksum. */
export interface BackupManifest {
  manifestVersion: 1;
  /** The dbfast version that wrote it. */
  dbfast: string;
  id: string;
  source: {
    kind: 'remote' | 'database';
    name: string;
    host: string;
    port: number;
    user: string;
    environment: string | undefined;
  };
  database: string;
  label: string | undefined;
  server: { version: string; major: number };
  pgDump: { version: string; major: number };
  format: BackupFormat;
  archive: string;
  compression: string;
  jobs: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Total size of the archive's files. */
  bytes: number;
  /** Entries in the archive's table of contents (`pg_restore -l`). */
  entries: number;
  files: ManifestFile[];
}

export interface VerificationRecord {
  ok: boolean;
  verifiedAt: string;
  /** `backup` when recorded as the backup was made, `verify` for `dbfast backup verify`. */
  by: 'backup' | 'verify';
  entries: number | undefined;
  problems: string[];
  pgRestore: string | undefined;
  dbfast: string;
}

/** Write JSON through a temporary file and a rename, so a reader never sees half of it. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    // A write error (ENOSPC) carries no path: name the file here.
    throw fileSystemError(error, path) ?? error;
  }
}

/** Read a backup's manifest; a DbfastError naming the folder when it is missing or unreadable. */
export async function readManifest(dir: string): Promise<BackupManifest> {
  let value: Partial<BackupManifest>;
  try {
    value = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new DbfastError(
      'backup.bad_manifest',
      `Cannot read ${join(dir, MANIFEST_FILE)}: ${errorMessage(error)}`,
      { hint: 'This folder is not a complete dbfast backup.', cause: error },
    );
  }
  // Paths in a manifest are only ever inside the backup folder: a manifest that says
  // otherwise (edited by hand, or crafted) must not make dbfast read elsewhere.
  const inside = (path: unknown): boolean =>
    typeof path === 'string' &&
    (path === ARCHIVE_NAME || path.startsWith(`${ARCHIVE_NAME}/`)) &&
    !path.split('/').includes('..');
  if (
    value.manifestVersion !== 1 ||
    !Array.isArray(value.files) ||
    typeof value.id !== 'string' ||
    value.archive !== ARCHIVE_NAME ||
    !value.files.every((file) => inside(file?.path))
  ) {
    throw new DbfastError(
      'backup.bad_manifest',
      `${join(dir, MANIFEST_FILE)} is not a dbfast backup manifest (version 1).`,
    );
  }
  return value as BackupManifest;
}

/** The latest verification of a backup, or undefined when it was never verified. */
export async function readVerification(dir: string): Promise<VerificationRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, VERIFIED_FILE), 'utf8')) as VerificationRecord;
  } catch {
    return undefined;
  }
}
