import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fillPool, poolStatus } from '../../src/clone/pool.js';
import { POOL_SHRINK_STEP_MS, poolStatePath, poolTarget } from '../../src/clone/pool-target.js';
import { connectionUrl } from '../../src/config/url.js';
import { cloneDatabase, ensureTemplate } from '../../src/index.js';
import { problemsOf, resolveInline } from '../helpers/config.js';
import { type TempProject, tempProject } from '../helpers/project.js';

describe('a pool sized to demand ([pool] min / max)', () => {
  let temp: TempProject | undefined;
  let statePath: string | undefined;
  afterEach(async () => {
    if (statePath !== undefined) await rm(statePath, { force: true });
    await temp?.cleanup();
    temp = undefined;
  });

  it('grows by one for each claim that found it empty, never above max, and shrinks back when idle', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[pool]\nsize = 1\nmax = 3\n',
    });
    const template = await ensureTemplate(temp.project);
    const url = connectionUrl(await temp.project.connection(), template.name);
    statePath = poolStatePath(url, template.name);
    const env = temp.project.environment();
    expect(await fillPool(temp.project)).toMatchObject({ size: 1, target: 1, ready: 1 });
    const clone = (n: number) =>
      cloneDatabase(temp?.project as never, { name: `${temp?.prefix}_c${n}` });
    expect((await clone(1)).fromPool).toBeDefined();
    // Empty now: every further claim falls back to CREATE DATABASE and raises the target.
    for (const n of [2, 3, 4, 5]) expect((await clone(n)).fromPool).toBeUndefined();
    expect(await poolTarget(url, template.name, env)).toBe(3);
    expect((await poolStatus(temp.project))[0]).toMatchObject({
      size: 1,
      min: 1,
      max: 3,
      target: 3,
    });
    const grown = await fillPool(temp.project);
    expect(grown).toMatchObject({ target: 3, ready: 3, dropped: [] });
    expect(grown.created).toHaveLength(3);
    // One step back toward min per idle minute.
    expect(await poolTarget(url, template.name, env, Date.now() + POOL_SHRINK_STEP_MS + 1000)).toBe(
      2,
    );
    expect(await poolTarget(url, template.name, env, Date.now() + 10 * POOL_SHRINK_STEP_MS)).toBe(
      1,
    );
    // Idle for two minutes: the next fill drops what is above the target.
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    await writeFile(
      statePath,
      JSON.stringify({ ...state, missedAt: state.missedAt - 2 * POOL_SHRINK_STEP_MS - 1000 }),
    );
    const shrunk = await fillPool(temp.project);
    expect(shrunk).toMatchObject({ target: 1, ready: 1, created: [] });
    expect(shrunk.dropped).toHaveLength(2);
    expect((await poolStatus(temp.project))[0]).toMatchObject({ target: 1, ready: 1 });
  });

  it('many claims at once raise the target at most to max, and one fill never makes more than twice it', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[pool]\nsize = 1\nmax = 2\n',
    });
    const template = await ensureTemplate(temp.project);
    const url = connectionUrl(await temp.project.connection(), template.name);
    statePath = poolStatePath(url, template.name);
    const clones = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        cloneDatabase(temp?.project as never, { name: `${temp?.prefix}_m${n}` }),
      ),
    );
    expect(clones.every((c) => c.fromPool === undefined)).toBe(true);
    expect(await poolTarget(url, template.name, temp.project.environment())).toBe(2);
    const filled = await fillPool(temp.project);
    expect(filled).toMatchObject({ target: 2, ready: 2 });
    expect(filled.created.length).toBeLessThanOrEqual(4);
  });
});

describe('[pool] bounds in dbfast.toml', () => {
  it('default to size (a fixed pool) and apply to every environment', () => {
    const fixed = resolveInline('[pool]\nsize = 4\n');
    expect(fixed.environments.default).toMatchObject({ poolSize: 4, poolMin: 4, poolMax: 4 });
    const sized = resolveInline(
      '[pool]\nsize = 2\nmin = 1\nmax = 8\n[environments.test]\npool_size = 4\n[environments.dev]\npool_size = 0\n',
    );
    expect(sized.environments.test).toMatchObject({ poolSize: 4, poolMin: 1, poolMax: 8 });
    // pool_size = 0 is no pool, whatever the bounds.
    expect(sized.environments.dev).toMatchObject({ poolSize: 0, poolMin: 0, poolMax: 0 });
  });

  it('reject min > max and a size outside min..max, saying which key', () => {
    expect(problemsOf('[pool]\nsize = 2\nmin = 4\nmax = 3\n').problems).toContain(
      'pool.min: 4 is greater than pool.max (3); the pool starts at its size and stays within min..max',
    );
    expect(problemsOf('[pool]\nsize = 10\nmax = 8\n').problems).toEqual([
      'pool.size: 10 is above pool.max (8); the pool starts at its size and stays within min..max',
    ]);
    expect(
      problemsOf('[pool]\nsize = 2\nmax = 8\n[environments.ci]\npool_size = 16\n').problems,
    ).toEqual([
      'environments.ci.pool_size: 16 is above pool.max (8); the pool starts at its size and stays within min..max',
    ]);
    expect(problemsOf('[pool]\nsize = 1\nmin = 2\n').problems).toEqual([
      'pool.size: 1 is below pool.min (2); the pool starts at its size and stays within min..max',
    ]);
    expect(problemsOf('[pool]\nmax = -1\n').problems[0]).toMatch(/^pool\.max/);
  });
});
