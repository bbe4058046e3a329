import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { planFile } from '../sql/plan.js';
import { isOn } from '../sql/settings.js';
import type { HashCache } from './hash-cache.js';

/**
 * The files a repository file reads besides itself (`\i`, `\ir`, `\copy … from`), for the
 * template fingerprint, cached in `.dbfast/cache`.
 *
 * The cache is exact: an entry is keyed by the file's path and content (and the settings
 * that planning depends on), names every file that was read with its hash, paths relative
 * to the project folder (so a project copied or moved with its `.dbfast/` keeps its
 * cache), and is used only when every file it names still has that hash. An entry that no
 * longer matches the disk (a file changed, gained an `\ir`, was deleted) is recomputed,
 * never trusted and never a crash.
 */
interface Entry {
  files: { path: string; sha256: string }[];
}

/** Absolute paths of the files `path` (with content hash `sha256`) reads, itself excluded. */
export async function readsOf(
  config: ResolvedConfig,
  cache: HashCache,
  path: string,
  sha256: string,
  context: string = readsContext(config),
): Promise<string[]> {
  const { repository, rootDir } = config;
  const key = `reads:${relativeTo(rootDir, path)}:${sha256}:${context}`;
  const known = cache.derived(key);
  if (isEntry(known) && (await matches(known, rootDir, cache))) {
    return known.files.map((f) => resolve(rootDir, f.path));
  }
  const read: string[] = [];
  await planFile(path, {
    root: repository.path,
    metas: repository.runner === 'psql' ? 'lenient' : 'strict',
    encoding: repository.encoding,
    standardConformingStrings: isOn(repository.settings.standard_conforming_strings),
    variables: repository.variables,
    onRead: (file) => {
      if (file !== path && !read.includes(file)) read.push(file);
    },
  }).catch(() => undefined); // what cannot be planned fails the build, with its message
  const files: Entry['files'] = [];
  for (const file of read) {
    const digest = await cache.hash(file).catch(() => undefined);
    if (digest !== undefined) files.push({ path: relativeTo(rootDir, file), sha256: digest });
  }
  cache.setDerived(key, { files });
  return files.map((f) => resolve(rootDir, f.path));
}

/**
 * The settings that planning depends on, as one digest: computed once per fingerprint and
 * passed to every readsOf call (a no-change check of 1,000 files asks 1,000 times).
 */
export function readsContext(config: ResolvedConfig): string {
  const { repository } = config;
  return hash(
    JSON.stringify([
      repository.runner,
      repository.encoding,
      repository.variables,
      repository.settings.standard_conforming_strings ?? null,
    ]),
  ).slice(0, 16);
}

async function matches(entry: Entry, rootDir: string, cache: HashCache): Promise<boolean> {
  for (const file of entry.files) {
    const digest = await cache.hash(resolve(rootDir, file.path)).catch(() => undefined);
    if (digest !== file.sha256) return false;
  }
  return true;
}

function isEntry(value: unknown): value is Entry {
  const files = (value as Entry | null)?.files;
  return (
    Array.isArray(files) &&
    files.every((f) => typeof f?.path === 'string' && typeof f?.sha256 === 'string')
  );
}

/** `path` relative to `root` with `/`, or absolute when it lies on another drive. */
function relativeTo(root: string, path: string): string {
  const rel = relative(root, path);
  return isAbsolute(rel) ? path : rel.split(sep).join('/');
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
