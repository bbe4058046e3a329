import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DEFAULT_EXTENSIONS } from '../config/schema.js';
import type { EnvironmentConfig } from '../config/types.js';
import { DbfastError, ExitCode } from '../errors.js';
import { globListMatcher } from './glob.js';

/** One file of a repository, in the order it runs. */
export interface RepositoryFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  absolutePath: string;
  kind: 'sql' | 'csv';
}

/** Names that look like SQL whatever their ending says: `a.sql.postgres`, `a.psql`, `a.pgsql`. */
const SQL_LOOKING = /\.(sql|psql|pgsql)(\.[^/]*)?$/i;

/**
 * Every file under `root` whose name ends with one of `extensions` (case does not matter),
 * in natural order per path segment (`2_seed` before `10_more`, `0002-a` before
 * `00010-b`). A name ending in `.csv` is a CSV file, any other a SQL file. Symbolic links
 * are not followed (nor listed).
 */
export async function listRepository(
  root: string,
  extensions: readonly string[] = DEFAULT_EXTENSIONS,
): Promise<RepositoryFile[]> {
  const files: RepositoryFile[] = [];
  for (const absolutePath of await walk(root)) {
    const name = absolutePath.toLowerCase();
    if (!extensions.some((ext) => name.endsWith(ext))) continue;
    const kind = name.endsWith('.csv') ? 'csv' : 'sql';
    files.push({ path: relative(root, absolutePath).split(sep).join('/'), absolutePath, kind });
  }
  return files.sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Files under `root` that look like SQL (`*.sql.*`, `*.psql`, `*.pgsql`) but do not count
 * as repository files with these `extensions`: probably meant to run, and silently not.
 */
export async function uncountedSqlFiles(
  root: string,
  extensions: readonly string[] = DEFAULT_EXTENSIONS,
): Promise<string[]> {
  const counted = new Set((await listRepository(root, extensions)).map((f) => f.absolutePath));
  return (await walk(root))
    .filter((path) => !counted.has(path) && SQL_LOOKING.test(path))
    .map((path) => relative(root, path).split(sep).join('/'))
    .sort(comparePaths);
}

/** Every regular file under `root` (absolute paths); symbolic links are not followed. */
async function walk(root: string): Promise<string[]> {
  if (!existsSync(root)) {
    throw new DbfastError('repository.missing', `The repository folder ${root} does not exist.`, {
      hint: 'Set [repository] path in dbfast.toml (relative to the file), or run `dbfast init`.',
      exitCode: ExitCode.usage,
    });
  }
  const files: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) files.push(path); // symlinks, sockets, …: not followed
    }
  };
  await visit(root);
  return files;
}

/** The files an environment selects, in run order. */
export async function scanRepository(
  root: string,
  env: EnvironmentConfig,
  extensions: readonly string[] = DEFAULT_EXTENSIONS,
): Promise<RepositoryFile[]> {
  const selects = selector(env);
  return (await listRepository(root, extensions)).filter((file) => selects(file.path));
}

/**
 * Whether `env` selects a file, by its path (relative, `/`-separated). The environment's
 * globs are compiled once here: keep the returned test for a whole listing.
 */
export function selector(env: EnvironmentConfig): (path: string) => boolean {
  const included = env.includeFiles.length === 0 ? () => true : globListMatcher(env.includeFiles);
  const excluded = env.excludeFiles.length === 0 ? () => false : globListMatcher(env.excludeFiles);
  return (path) => {
    const under = (dir: string): boolean => isUnder(path, dir);
    if (env.includeDirectories.length > 0 && !env.includeDirectories.some(under)) return false;
    if (env.excludeDirectories.some(under)) return false;
    return included(path) && !excluded(path);
  };
}

/**
 * A configured directory as dbfast compares it: `./seed/` and `seed` name the same directory.
 * Every comparison of include/exclude directories goes through here.
 */
export function directoryPath(dir: string): string {
  return dir.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** Whether `path` (relative, `/`-separated, already clean) is directory `dir` or lies inside it. */
export function isUnder(path: string, dir: string): boolean {
  const clean = directoryPath(dir);
  return path === clean || path.startsWith(`${clean}/`);
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
