import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { EnvironmentConfig } from '../config/types.js';
import { DbfastError } from '../errors.js';
import { globToRegExp } from './glob.js';

/** One file of a repository, in the order it runs. */
export interface RepositoryFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  absolutePath: string;
  kind: 'sql' | 'csv';
}

const KINDS: Record<string, RepositoryFile['kind']> = { '.sql': 'sql', '.csv': 'csv' };

/**
 * Every .sql and .csv file under `root`, in natural order per path segment (`2_seed` before
 * `10_more`, `0002-a` before `00010-b`). Symbolic links are not followed (nor listed).
 */
export async function listRepository(root: string): Promise<RepositoryFile[]> {
  if (!existsSync(root)) {
    throw new DbfastError('repository.missing', `The repository folder ${root} does not exist.`, {
      hint: 'Set [repository] path in dbfast.toml (relative to the file), or run `dbfast init`.',
      exitCode: 2,
    });
  }
  const files: RepositoryFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const absolutePath = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(absolutePath);
        continue;
      }
      if (!entry.isFile()) continue; // symlinks, sockets, …: not followed
      const dot = entry.name.lastIndexOf('.');
      const kind = dot < 0 ? undefined : KINDS[entry.name.slice(dot).toLowerCase()];
      if (kind === undefined) continue;
      files.push({ path: relative(root, absolutePath).split(sep).join('/'), absolutePath, kind });
    }
  };
  await walk(root);
  return files.sort((a, b) => comparePaths(a.path, b.path));
}

/** The files an environment selects, in run order. */
export async function scanRepository(
  root: string,
  env: EnvironmentConfig,
): Promise<RepositoryFile[]> {
  return (await listRepository(root)).filter((file) => selects(env, file.path));
}

/** Whether `env` selects the file at `path` (relative, `/`-separated). */
export function selects(env: EnvironmentConfig, path: string): boolean {
  const under = (dir: string): boolean => {
    const clean = dir.replace(/^\.\//, '').replace(/\/+$/, '');
    return path === clean || path.startsWith(`${clean}/`);
  };
  if (env.includeDirectories.length > 0 && !env.includeDirectories.some(under)) return false;
  if (env.excludeDirectories.some(under)) return false;
  if (
    env.includeFiles.length > 0 &&
    !env.includeFiles.some((glob) => globToRegExp(glob).test(path))
  )
    return false;
  if (env.excludeFiles.some((glob) => globToRegExp(glob).test(path))) return false;
  return true;
}

/** Natural order, segment by segment: digit runs compare by value, the rest byte-wise. */
export function comparePaths(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i += 1) {
    const c = compareNatural(sa[i] as string, sb[i] as string);
    if (c !== 0) return c;
  }
  return sa.length - sb.length;
}

function compareNatural(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i += 1) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const diff = BigInt(x) - BigInt(y);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length;
      continue;
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sha256 of a file's bytes, hex. */
export async function hashFile(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Whether a path is a regular file (not a symlink). */
export async function isRegularFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
