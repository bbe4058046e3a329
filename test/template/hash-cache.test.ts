import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashCache } from '../../src/template/hash-cache.js';

describe('HashCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbfast-hash-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cachedPaths = async (): Promise<string[]> => {
    const text = await readFile(join(dir, '.dbfast', 'cache', 'hashes.json'), 'utf8');
    return Object.keys((JSON.parse(text) as { hashes: Record<string, unknown> }).hashes).sort();
  };

  it('forgets a file that no longer exists, keeps one this run did not read', async () => {
    const [a, b, c] = ['a.sql', 'b.sql', 'c.sql'].map((name) => join(dir, name)) as [
      string,
      string,
      string,
    ];
    for (const path of [a, b, c]) await writeFile(path, `-- ${path}\n`);
    const first = await HashCache.open(dir);
    for (const path of [a, b, c]) await first.hash(path);
    await first.save();
    expect(await cachedPaths()).toEqual([a, b, c]);

    await rm(b);
    const second = await HashCache.open(dir);
    await second.hash(a);
    await second.save();
    // b is gone; c was not read by this run (another environment's file) but still exists.
    expect(await cachedPaths()).toEqual([a, c]);
  });
});
