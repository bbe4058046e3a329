import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { ensureTemplate } from '../../src/index.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, dropDatabases, query, uniqueName } from '../helpers/server.js';

const OP = fileURLToPath(new URL('../fixtures/library-op.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

describe('template builds across processes', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('eight processes asking for the same template at once cause one build, and all get it', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\nSELECT pg_sleep(0.5);\n' },
    });
    const config = `${temp.dir}/dbfast.toml`;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => execa('node', [OP, 'ensure', config])),
    );
    const results = runs.map((run) => JSON.parse(run.stdout) as { name: string; built: boolean });
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(new Set(results.map((r) => r.name)).size).toBe(1);
  });

  it('a build killed with SIGKILL midway leaves no complete-looking template, and the next run succeeds', async () => {
    // b.sql sleeps 60 s while the database <prefix>_slow exists: the killed build surely
    // dies midway however slow the machine, and the next run (same files, same template
    // name) is fast.
    const slow = `${uniqueName('p')}_slow`;
    temp = await tempProject({
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\n',
        'sql/b.sql': `SELECT pg_sleep(CASE WHEN EXISTS (SELECT FROM pg_database WHERE datname = '${slow}') THEN 60 ELSE 0 END);\n`,
      },
    });
    await createDatabase(slow);
    const child = execa('node', [BIN, 'template', 'build'], { cwd: temp.dir, reject: false });
    const prefix = temp.prefix;
    const work = workPrefix(temp.project.id);
    // Kill it only once the slow file is running on the server (in the scratch database,
    // which lives under a work name).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await query(
        'postgres',
        "SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, $1) AND query LIKE '%pg_sleep(CASE%'",
        [work],
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error('the build never reached its slow file');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await child;
    await dropDatabases(slow);
    const visible = await query<{ datname: string; comment: string | null }>(
      'postgres',
      "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)",
      [prefix, work],
    );
    expect(visible.length).toBeGreaterThan(0);
    for (const db of visible) {
      expect(db.datname.startsWith(work)).toBe(true);
      expect(db.comment ?? '').not.toContain('"complete":true');
    }
    const result = await ensureTemplate(temp.project);
    expect(result.built).toBe(true);
    const after = await query<{ datname: string }>(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)',
      [prefix, work],
    );
    // The next build removed the killed one's scratch database (its lock was free).
    expect(after.map((r) => r.datname)).toEqual([result.name]);
  });
});
