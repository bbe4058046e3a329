import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
  recordedAt: number;
}

interface CacheFile {
  hashes: Record<string, Entry>;
  derived: Record<string, unknown>;
}

/**
 * File hashes keyed by path, size and mtime, kept in `.dbfast/cache/hashes.json`, so the
 * no-change check stats files instead of reading them. Like git's "racy" rule, a hash is
 * only reused when the file's mtime is older than the moment it was recorded by more than
 * the clock granularity: a same-second edit of the same size is always re-read. Entries of
 * files that no longer exist are dropped when the cache is saved, so it does not grow with
 * every file a repository ever had.
 */
export class HashCache {
  static readonly RACY_MS = 2000;
  #path: string;
  #data: CacheFile;
  #dirty = false;
  /** Paths hashed by this run: known to exist, no need to stat them again on save. */
  #seen = new Set<string>();

  private constructor(path: string, data: CacheFile) {
    this.#path = path;
    this.#data = data;
  }

  static async open(rootDir: string): Promise<HashCache> {
    const path = join(rootDir, '.dbfast', 'cache', 'hashes.json');
    const text = await readFile(path, 'utf8').catch(() => '{}');
    let data: Partial<CacheFile> = {};
    try {
      data = JSON.parse(text) as Partial<CacheFile>;
    } catch {
      // A corrupt cache is only a slower check: start over.
    }
    return new HashCache(path, { hashes: data.hashes ?? {}, derived: data.derived ?? {} });
  }

  async hash(path: string): Promise<string> {
    const info = await stat(path);
    this.#seen.add(path);
    const known = this.#data.hashes[path];
    if (
      known !== undefined &&
      known.size === info.size &&
      known.mtimeMs === info.mtimeMs &&
      known.recordedAt - info.mtimeMs > HashCache.RACY_MS
    ) {
      return known.sha256;
    }
    const sha256 = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    this.#data.hashes[path] = {
      size: info.size,
      mtimeMs: info.mtimeMs,
      sha256,
      recordedAt: Date.now(),
    };
    this.#dirty = true;
    return sha256;
  }

  /**
   * A value derived from file contents, kept with the hashes. It is whatever an earlier run
   * stored (or an older dbfast, or a hand-edited file): the caller checks its shape and
   * whether it still matches the disk before trusting it.
   */
  derived(key: string): unknown {
    return this.#data.derived[key];
  }

  setDerived(key: string, value: unknown): void {
    this.#data.derived[key] = value;
    this.#dirty = true;
  }

  /** Write the cache if it changed (atomically; a failure to write is not an error). */
  async save(): Promise<void> {
    await this.#forgetMissing();
    if (!this.#dirty) return;
    const tmp = `${this.#path}.${process.pid}.tmp`;
    try {
      await mkdir(join(this.#path, '..'), { recursive: true });
      await writeFile(tmp, JSON.stringify(this.#data));
      await rename(tmp, this.#path);
      this.#dirty = false;
    } catch {
      // Read-only checkout, full disk: the cache is an optimisation only.
    }
  }

  // Another environment's files are not hashed by this run but still exist: only a file
  // that is gone loses its entry (one stat each, for the entries this run did not touch).
  async #forgetMissing(): Promise<void> {
    const unseen = Object.keys(this.#data.hashes).filter((path) => !this.#seen.has(path));
    const gone = await Promise.all(
      unseen.map((path) =>
        stat(path).then(
          () => false,
          () => true,
        ),
      ),
    );
    unseen.forEach((path, i) => {
      if (!gone[i]) return;
      delete this.#data.hashes[path];
      this.#dirty = true;
    });
  }
}
