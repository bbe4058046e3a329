import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { globToRegExp, hasWildcard } from '../sql/glob.js';

/**
 * The regular files an absolute glob matches, sorted. The walk starts at the longest
 * folder prefix without wildcards; symbolic links are not followed.
 */
export async function expandGlob(absoluteGlob: string): Promise<string[]> {
  if (!hasWildcard(absoluteGlob)) return existsSync(absoluteGlob) ? [absoluteGlob] : [];
  const parts = absoluteGlob.split(sep);
  const firstWild = parts.findIndex(hasWildcard);
  const root = parts.slice(0, firstWild).join(sep) || sep;
  const pattern = globToRegExp(absoluteGlob.split(sep).join('/'));
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && pattern.test(path.split(sep).join('/'))) found.push(path);
    }
  };
  await walk(root);
  return found.sort();
}
