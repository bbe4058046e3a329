import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { poolStatus } from '../../src/clone/pool.js';
import { poolStatePath } from '../../src/clone/pool-target.js';
import { refillLockPath } from '../../src/clone/refill.js';
import { connectionUrl } from '../../src/config/url.js';
import { ensureTemplate } from '../../src/index.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { ROOT, runFixtureVitest } from '../helpers/vitest-run.js';

const testFile = (label: string) => `
import { appendFileSync } from 'node:fs';
import pg from 'pg';
import { expect, it } from 'vitest';
import { useTestDatabase } from '${ROOT}dist/vitest/index.js';

const db = useTestDatabase();

for (const n of [1, 2]) {
  it('${label} test ' + n + ' gets a fresh database', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('INSERT INTO t VALUES (1)');
      const { rows } = await client.query('SELECT count(*)::int AS n FROM t');
      expect(rows[0].n).toBe(1);
      appendFileSync(process.env.DBFAST_FIXTURE_OUT, db.name + '\\n');
    } finally {
      await client.end();
    }
  });
}
`;

describe('dbfast/vitest', () => {
  let temp: TempProject | undefined;
  afterAll(async () => {
    await temp?.cleanup();
  });

  it('gives every test of a multi-worker vitest run its own database, and drops them', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE t (x int);\n' } });
    const out = `${temp.dir}/names.txt`;
    const files = Object.fromEntries(['a', 'b', 'c'].map((l) => [`${l}.test.mjs`, testFile(l)]));
    const run = await runFixtureVitest(temp, files, out, ', maxWorkers: 2, minWorkers: 2');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('6 passed');
    const { readFile } = await import('node:fs/promises');
    const names = (await readFile(out, 'utf8')).trim().split('\n');
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
    const { query } = await import('../helpers/server.js');
    // The last drops may still be running on the server (the helper does not wait for them).
    const left = async () =>
      query('postgres', 'SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);
    for (let i = 0; i < 200 && (await left()).length > 0; i += 1)
      await new Promise((r) => setTimeout(r, 50));
    expect(await left()).toEqual([]);
  });

  it('claims from the pool during the run and refills it once the run is over, sized to the demand it saw', async () => {
    await temp?.cleanup();
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE t (x int);\n' },
      toml: '[pool]\nsize = 1\nmax = 4\n',
    });
    const out = `${temp.dir}/names.txt`;
    const files = Object.fromEntries(['a', 'b'].map((l) => [`${l}.test.mjs`, testFile(l)]));
    const run = await runFixtureVitest(temp, files, out, ', maxWorkers: 2, minWorkers: 2');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('4 passed');
    // Four claims on a pool of one: at least three found it empty and raised the target.
    const template = await ensureTemplate(temp.project);
    const url = connectionUrl(await temp.project.connection(), template.name);
    const lock = refillLockPath(url, template.name);
    for (let i = 0; i < 600 && existsSync(lock); i += 1)
      await new Promise((r) => setTimeout(r, 50));
    const [status] = await poolStatus(temp.project);
    await rm(poolStatePath(url, template.name), { force: true });
    expect(status).toMatchObject({ size: 1, max: 4, target: 4, ready: 4 });
  });
});
