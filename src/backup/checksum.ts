import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { throwIfAborted } from './exec.js';
import type { BackupManifest, ManifestFile } from './manifest.js';

/**
 * sha256 of backup files, streamed (archives can be gigabytes), and the list of the files
 * an archive consists of, so a verification also notices files added or removed.
 */

/** Stream a file through sha256; aborting stops between chunks. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    if (signal?.aborted === true) {
      stream.destroy();
      throwIfAborted(signal);
    }
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Every regular file under `path` (or `path` itself), relative to `root`, sorted. Anything
 * else found (symbolic links, sockets, …) is added to `irregular` when given.
 */
export async function archiveFiles(
  root: string,
  path: string,
  irregular?: string[],
): Promise<string[]> {
  const info = await lstat(path);
  if (info.isFile()) return [toPosix(relative(root, path))];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await archiveFiles(root, full, irregular)));
    else if (entry.isFile()) out.push(toPosix(relative(root, full)));
    else irregular?.push(toPosix(relative(root, full)));
  }
  return out.sort();
}

/** Size and sha256 of each file (paths relative to `root`). */
export async function describeFiles(
  root: string,
  paths: string[],
  signal?: AbortSignal,
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of paths) {
    const full = join(root, ...path.split('/'));
    const { size } = await stat(full);
    files.push({ path, bytes: size, sha256: await sha256File(full, signal) });
  }
  return files;
}

/**
 * Compare a backup folder with its manifest: every listed file present, a regular file
 * inside the folder (no symbolic link, no `..`), with its sha256, and no file in the archive
 * that the manifest does not list. One line per problem, each starting with the file's path.
 */
export async function checkFiles(
  dir: string,
  manifest: BackupManifest,
  signal?: AbortSignal,
): Promise<string[]> {
  const problems: string[] = [];
  const root = await realpath(dir);
  for (const file of manifest.files) {
    const full = join(dir, ...file.path.split('/'));
    const placement = await misplaced(root, file.path, full);
    if (placement !== undefined) {
      problems.push(`${file.path}: ${placement}`);
      continue;
    }
    const sha256 = await sha256File(full, signal);
    if (sha256 !== file.sha256) {
      problems.push(`${file.path}: checksum mismatch (sha256 ${sha256}, manifest ${file.sha256})`);
    }
  }
  const archive = join(dir, manifest.archive);
  const known = new Set(manifest.files.map((f) => f.path));
  const top = await lstat(archive).catch(() => undefined);
  if (top?.isSymbolicLink() === true) {
    problems.push(`${manifest.archive}: a symbolic link, not part of the backup folder`);
  } else if (top !== undefined) {
    const irregular: string[] = [];
    for (const path of await archiveFiles(dir, archive, irregular)) {
      if (!known.has(path)) problems.push(`${path}: not in the manifest`);
    }
    for (const path of irregular) problems.push(`${path}: not a regular file`);
  }
  return problems;
}

/**
 * Why a manifest entry cannot be trusted as a file of this backup, or undefined: missing,
 * a path leaving the folder, a symbolic link (its target could be anything, anywhere), or
 * not a regular file.
 */
async function misplaced(root: string, path: string, full: string): Promise<string | undefined> {
  if (isAbsolute(path) || path.split('/').some((part) => part === '..' || part === '')) {
    return 'path leaves the backup folder';
  }
  const info = await lstat(full).catch(() => undefined);
  if (info === undefined) return 'missing';
  if (info.isSymbolicLink()) return 'a symbolic link, not a regular file of the backup folder';
  if (!info.isFile()) return 'not a regular file';
  // A linked folder on the way would still lead outside.
  const real = await realpath(full);
  if (!real.startsWith(`${root}${sep}`)) return 'lies outside the backup folder';
  return undefined;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
