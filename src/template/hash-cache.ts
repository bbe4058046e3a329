import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * File hashes keyed by path, size and mtime, kept in `.dbfast/cache/hashes.json`, so the
 * no-change check stats files instead of reading them. Like git's "racy" rule, a hash is
 * only reused when the file's mtime is older than the moment it was recorded by more than
 * the clock granularity: a same-second edit of the same size is always re-read.
 */
export class HashCache {
  static readonly RACY_MS = 2000;
  #path: string;
  #entries: Record<string, Entry & { recordedAt: number }>;
  #dirty = false;

  private constructor(path: string, entries: Record<string, Entry & { recordedAt: number }>) {
    this.#path = path;
    this.#entries = entries;
  }

  static async open(rootDir: string): Promise<HashCache> {
    const path = join(rootDir, '.dbfast', 'cache', 'hashes.json');
    const text = await readFile(path, 'utf8').catch(() => '{}');
    let entries = {};
    try {
      entries = JSON.parse(text);
    } catch {
      // A corrupt cache is only a slower check: start over.
    }
    return new HashCache(path, entries);
  }

  async hash(path: string): Promise<string> {
    const info = await stat(path);
    const known = this.#entries[path];
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
    this.#entries[path] = {
      size: info.size,
      mtimeMs: info.mtimeMs,
      sha256,
      recordedAt: Date.now(),
    };
    this.#dirty = true;
    return sha256;
  }

  /** Write the cache if it changed (atomically; a failure to write is not an error). */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const tmp = `${this.#path}.${process.pid}.tmp`;
    try {
      await mkdir(join(this.#path, '..'), { recursive: true });
      await writeFile(tmp, JSON.stringify(this.#entries));
      await rename(tmp, this.#path);
      this.#dirty = false;
    } catch {
      // Read-only checkout, full disk: the cache is an optimisation only.
    }
  }
}
