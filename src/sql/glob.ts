import { existsSync } from 'node:fs';
import { normalize, sep } from 'node:path';
import picomatch from 'picomatch';
import { glob as expand } from 'tinyglobby';

/**
 * File globs as used in dbfast.toml (`include_files`, `exclude_files`, `extra_inputs`), in
 * picomatch's syntax: `*`, `**`, `?`, `[0-9]`, `{a,b}`, and `!` in front of a glob to take
 * its matches back out of the list.
 */

// Dot files match like any other: the hand-written matcher this replaced did so, and a
// repository has no reason to hide `.seed.sql`.
const OPTIONS = { dot: true } as const;

/**
 * One test for a list of globs, compiled once: a path (relative, `/`-separated) matches when
 * some glob without `!` matches it and no `!` glob does. A list of only `!` globs matches
 * every path they do not.
 */
export function globListMatcher(globs: readonly string[]): (path: string) => boolean {
  const positive = globs.filter((glob) => !glob.startsWith('!'));
  const negative = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const anyPositive = positive.length === 0 ? () => true : picomatch(positive, OPTIONS);
  const anyNegative = negative.length === 0 ? () => false : picomatch(negative, OPTIONS);
  return (path) => anyPositive(path) && !anyNegative(path);
}

/** The test for one glob on its own (a leading `!` ignored): whether it matches anything. */
export function globMatcher(glob: string): (path: string) => boolean {
  return picomatch(glob.replace(/^!/, ''), OPTIONS);
}

/** The folder a glob's matches are all under (the glob itself when it has no wildcard). */
export function globBase(glob: string): string {
  const scanned = picomatch.scan(glob);
  return scanned.isGlob ? scanned.base || '.' : glob;
}

/**
 * The regular files an absolute glob matches, sorted. A plain path (no wildcard) is returned when it exists. Symbolic links to folders are not
 * followed, as the repository scan does not follow them.
 */
export async function expandGlob(absoluteGlob: string): Promise<string[]> {
  const posix = absoluteGlob.split(sep).join('/');
  const scanned = picomatch.scan(posix);
  if (!scanned.isGlob) return existsSync(absoluteGlob) ? [absoluteGlob] : [];
  const found = await expand(scanned.glob, {
    cwd: scanned.base || '/',
    absolute: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    // `dir` must not silently mean `dir/**`: a glob means what it says.
    expandDirectories: false,
    ...OPTIONS,
  });
  return found.map((path) => normalize(path)).sort();
}
