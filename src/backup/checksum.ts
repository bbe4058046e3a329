import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
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

/** Every regular file under `path` (or `path` itself), relative to `root`, sorted. */
export async function archiveFiles(root: string, path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [toPosix(relative(root, path))];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await archiveFiles(root, full)));
    else if (entry.isFile()) out.push(toPosix(relative(root, full)));
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
 * Compare a backup folder with its manifest: every listed file present with its sha256,
 * and no file in the archive that the manifest does not list. One line per problem, each
 * starting with the file's path.
 */
export async function checkFiles(
  dir: string,
  manifest: BackupManifest,
  signal?: AbortSignal,
): Promise<string[]> {
  const problems: string[] = [];
  for (const file of manifest.files) {
    const full = join(dir, ...file.path.split('/'));
    if (!existsSync(full)) {
      problems.push(`${file.path}: missing`);
      continue;
    }
    const sha256 = await sha256File(full, signal);
    if (sha256 !== file.sha256) {
      problems.push(`${file.path}: checksum mismatch (sha256 ${sha256}, manifest ${file.sha256})`);
    }
  }
  const archive = join(dir, manifest.archive);
  const known = new Set(manifest.files.map((f) => f.path));
  if (existsSync(archive)) {
    for (const path of await archiveFiles(dir, archive)) {
      if (!known.has(path)) problems.push(`${path}: not in the manifest`);
    }
  }
  return problems;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
