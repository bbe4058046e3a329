import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPool, poolStatus } from '../../src/clone/pool.js';
import { refillLockPath } from '../../src/clone/refill.js';
import { createDbfast, ensureTemplate } from '../../src/index.js';
import { withClient } from '../../src/server/connection.js';
import { runCliJson } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { testServer, testServerUrl } from '../helpers/server.js';

/** The pids of running background fillers that use this lock file. */
async function fillers(lock: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-A', '-o', 'pid=,args='], { reject: false });
  return String(stdout)
    .split('\n')
    .filter((line) => line.includes('--background') && line.includes(lock))
    .map((line) => line.trim().split(/\s+/)[0] as string);
}

describe('pool refills (no refill storms)', () => {
  let temp: TempProject;
  beforeAll(async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\n' },
      toml: '[pool]\nsize = 3\n',
    });
  });
  afterAll(async () => {
    // Let a filler that is still running finish before its databases are dropped.
    const template = await ensureTemplate(temp.project);
    const lock = refillLockPath(testServerUrl(), template.name);
    for (let i = 0; i < 200 && (await fillers(lock)).length > 0; i += 1) await sleep(100);
    await temp.cleanup();
  });

  it('8 clones at once start at most one filler at a time, and the pool ends up full', async () => {
    const template = await ensureTemplate(temp.project);
    const lock = refillLockPath(testServerUrl(), template.name);
    let sampling = true;
    let most = 0;
    const seen = new Set<string>();
    const sampler = (async () => {
      while (sampling) {
        const pids = await fillers(lock);
        for (const pid of pids) seen.add(pid);
        most = Math.max(most, pids.length);
        await sleep(20);
      }
    })();
    const clones = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runCliJson(['clone', `${temp.prefix}_c${i}`], { cwd: temp.dir }),
      ),
    );
    for (const clone of clones) {
      expect(clone.exitCode, clone.stderr).toBe(0);
      expect(['started', 'running']).toContain(clone.json.refill);
    }
    expect(clones.filter((c) => c.json.refill === 'started').length).toBeGreaterThanOrEqual(1);
    // The last filler keeps going until the pool is full again, then removes its lock.
    let status: { ready: number } | undefined;
    for (let i = 0; i < 300; i += 1) {
      status = (await runCliJson(['pool', 'status'], { cwd: temp.dir })).json.environments[0];
      if (status?.ready === 3 && (await fillers(lock)).length === 0) break;
      await sleep(100);
    }
    sampling = false;
    await sampler;
    expect(status).toMatchObject({ ready: 3 });
    expect(most).toBeLessThanOrEqual(1);
    expect(seen.size).toBeLessThan(8);
  });

  it('a library handle claims members of the template it is given, and refills in another process', async () => {
    const template = await ensureTemplate(temp.project);
    await fillPool(temp.project);
    const lock = refillLockPath(testServerUrl(), template.name);
    const dbfast = await createDbfast({ configPath: `${temp.dir}/dbfast.toml`, env: {} });
    try {
      // What the vitest helper does: the template its globalSetup resolved, by name.
      const clone = await dbfast.clone({ template: template.name, env: template.env });
      expect(clone.fromPool).toMatch(/_p[0-9a-f]{8}$/);
      await clone.drop();
    } finally {
      await dbfast.close();
    }
    // close() did not wait for the refill: a filler process tops the pool up on its own.
    let ready = 0;
    for (let i = 0; i < 300 && ready < 3; i += 1) {
      ready = (await poolStatus(temp.project))[0]?.ready ?? 0;
      if (ready < 3) await sleep(100);
    }
    expect(ready).toBe(3);
    for (let i = 0; i < 100 && (await fillers(lock)).length > 0; i += 1) await sleep(100);
  });

  it('a filler started while another one runs returns at once without filling', async () => {
    const template = await ensureTemplate(temp.project);
    await withClient(testServer(), async (client) => {
      // What a running filler holds (see fillPool).
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
        `dbfast:pool:${template.name}`,
      ]);
      const result = await fillPool(temp.project, { ifIdle: true });
      expect(result).toMatchObject({ busy: true, created: [] });
    });
  });
});
