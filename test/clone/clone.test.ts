import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropClones, listClones } from '../../src/clone/inventory.js';
import { fillPool, poolStatus } from '../../src/clone/pool.js';
import { cloneDatabase, collectGarbage, createDbfast, ensureTemplate } from '../../src/index.js';
import { connect, withClient } from '../../src/server/connection.js';
import { serverInfo } from '../../src/server/info.js';
import { EXAMPLE_ENVIRONMENTS, exampleFiles } from '../helpers/example.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';

describe('cloning', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it("clones have the template's schema and rows, and are labelled", async () => {
    temp = await tempProject({ files: exampleFiles(), toml: EXAMPLE_ENVIRONMENTS });
    const clone = await cloneDatabase(temp.project, { name: `${temp.prefix}_a` });
    expect(clone).toMatchObject({
      name: `${temp.prefix}_a`,
      env: 'local',
      templateBuilt: true,
    });
    // The automatic choice, from the server's facts (see strategy.ts): no clause before 15;
    // FILE_COPY with fsync off; WAL_LOG for this small template with fsync on.
    const info = await withClient(testServer(), serverInfo);
    const expected = info.major < 15 ? /^default$/ : info.fsync ? /^wal_log$/ : /^file_copy/;
    expect(clone.strategy).toMatch(expected);
    expect(clone.url).toBe(
      `postgres://${testServer().user}@${testServer().host}:${testServer().port}/${temp.prefix}_a`,
    );
    const counts = await query<{ customers: string; orders: string; total: string }>(
      clone.name,
      'SELECT (SELECT count(*) FROM customer) AS customers, (SELECT count(*) FROM customer_order) AS orders, (SELECT sum(total_cents) FROM order_summary) AS total',
    );
    expect(counts).toEqual([{ customers: '2000', orders: '5000', total: '114555000' }]);
    const test = await cloneDatabase(temp.project, { name: `${temp.prefix}_t`, env: 'test' });
    expect(await query(test.name, 'SELECT count(*)::int AS n FROM customer')).toEqual([{ n: 0 }]);
    const clones = await listClones(temp.project);
    expect(clones.map((c) => [c.name, c.env]).sort()).toEqual([
      [`${temp.prefix}_a`, 'local'],
      [`${temp.prefix}_t`, 'test'],
    ]);
  });

  it('[database] clone_strategy overrides the automatic choice', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const info = await withClient(testServer(), serverInfo);
    const strategies = { wal_log: /^wal_log$/, file_copy: /^file_copy/ };
    for (const [configured, expected] of Object.entries(strategies)) {
      await temp.write(
        'dbfast.toml',
        (await readFile(join(temp.dir, 'dbfast.toml'), 'utf8')).replace(
          /\[database\]\n(clone_strategy = .*\n)?/,
          `[database]\nclone_strategy = "${configured}"\n`,
        ),
      );
      const clone = await cloneDatabase(temp.reopen(), { name: `${temp.prefix}_${configured}` });
      expect(clone.strategy).toMatch(info.major < 15 ? /^default$/ : expected);
      expect(await query(clone.name, 'SELECT count(*)::int AS n FROM a')).toEqual([{ n: 0 }]);
    }
  });

  it('refuses an existing name unless force, and --no-build fails on a stale template', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const name = `${temp.prefix}_x`;
    await cloneDatabase(temp.project, { name });
    await expect(cloneDatabase(temp.project, { name })).rejects.toMatchObject({
      code: 'clone.exists',
      exitCode: 2,
      message: `Database "${name}" already exists.`,
    });
    await query(name, 'INSERT INTO a VALUES (42)');
    await cloneDatabase(temp.project, { name, force: true });
    expect(await query(name, 'SELECT count(*)::int AS n FROM a')).toEqual([{ n: 0 }]);
    await temp.write('sql/a.sql', 'CREATE TABLE a (x bigint);\n');
    await expect(
      cloneDatabase(temp.project, { name: `${temp.prefix}_y`, build: false }),
    ).rejects.toMatchObject({ code: 'clone.template_stale' });
  });

  it('a session left connected to the template does not break cloning', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const template = await ensureTemplate(temp.project);
    // A session connected before connections were disallowed (e.g. an admin's psql).
    await withClient(testServer(), (c) =>
      c.query(`ALTER DATABASE "${template.name}" WITH ALLOW_CONNECTIONS true`),
    );
    const stray = await connect(testServer(), { database: template.name });
    await withClient(testServer(), (c) =>
      c.query(`ALTER DATABASE "${template.name}" WITH ALLOW_CONNECTIONS false`),
    );
    try {
      const clone = await cloneDatabase(temp.project, { name: `${temp.prefix}_s` });
      expect(clone.name).toBe(`${temp.prefix}_s`);
    } finally {
      await stray.end().catch(() => undefined);
    }
  });

  it('32 concurrent clones from separate connections all succeed', async () => {
    temp = await tempProject({
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\nINSERT INTO a SELECT generate_series(1, 1000);\n',
      },
    });
    const handles = await Promise.all(
      Array.from({ length: 32 }, () =>
        createDbfast({ configPath: `${temp?.dir}/dbfast.toml`, env: {} }),
      ),
    );
    try {
      await handles[0]?.ensureTemplate();
      const clones = await Promise.all(
        handles.map((h, i) => h.clone({ name: `${temp?.prefix}_c${i}` })),
      );
      expect(new Set(clones.map((c) => c.name)).size).toBe(32);
      expect(await query(clones[31]?.name as string, 'SELECT count(*)::int AS n FROM a')).toEqual([
        { n: 1000 },
      ]);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it('the library handle gives clones that drop themselves', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const dbfast = await createDbfast({ configPath: `${temp.dir}/dbfast.toml`, env: {} });
    try {
      const clone = await dbfast.clone();
      expect(clone.name).toMatch(new RegExp(`^${temp.prefix}_default_`));
      await clone.drop();
      expect(
        await query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [clone.name]),
      ).toEqual([]);
    } finally {
      await dbfast.close();
    }
  });

  it('the pool hands out members of the current template only, and survives concurrent claims', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[pool]\nsize = 3\n',
    });
    const filled = await fillPool(temp.project);
    expect(filled).toMatchObject({ size: 3, ready: 3 });
    expect(filled.created).toHaveLength(3);
    const [a, b] = await Promise.all([
      cloneDatabase(temp.project, { name: `${temp.prefix}_pa` }),
      cloneDatabase(temp.project, { name: `${temp.prefix}_pb` }),
    ]);
    expect(a.fromPool).toBeDefined();
    expect(b.fromPool).toBeDefined();
    expect(a.fromPool).not.toBe(b.fromPool);
    // The template changes: the remaining member is stale and must not be handed out.
    await temp.write('sql/a.sql', 'CREATE TABLE a (x int, y int);\n');
    const fresh = await cloneDatabase(temp.project, { name: `${temp.prefix}_pc` });
    expect(fresh.fromPool).toBeUndefined();
    expect(
      await query(
        fresh.name,
        "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'a'",
      ),
    ).toEqual([{ n: 2 }]);
    const status = await poolStatus(temp.project);
    expect(status[0]).toMatchObject({ env: 'default', size: 3, ready: 0, stale: 1 });
  });

  it('gc removes stale templates, expired clones, stale pool members and crashed builds, and nothing else', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[pool]\nsize = 1\n',
    });
    const first = await ensureTemplate(temp.project);
    const expired = await cloneDatabase(temp.project, { name: `${temp.prefix}_old`, ttlMs: 1 });
    const kept = await cloneDatabase(temp.project, { name: `${temp.prefix}_keep` });
    await fillPool(temp.project);
    await temp.write('sql/a.sql', 'CREATE TABLE a (x int, y int);\n');
    const second = await ensureTemplate(temp.project);
    await temp.write('sql/a.sql', 'CREATE TABLE a (x int, z int);\n');
    const third = await ensureTemplate(temp.project);
    // A crashed build: a scratch database with a build label and nobody holding its lock.
    await withClient(testServer(), async (c) => {
      await c.query(`CREATE DATABASE "${third.name}x_b"`);
      await c.query(
        `COMMENT ON DATABASE "${third.name}x_b" IS '${JSON.stringify({ dbfast: 'build', project: temp?.prefix, template: `${third.name}x`, startedAt: new Date().toISOString(), pid: 1, host: 'elsewhere' })}'`,
      );
      // Not dbfast's: same prefix, no label.
      await c.query(`CREATE DATABASE "${temp?.prefix}_mine"`);
    });
    const dry = await collectGarbage(temp.project, { dryRun: true, keep: 1, unusedForMs: 0 });
    const byKind = Object.fromEntries(dry.dropped.map((d) => [d.kind, d.name]));
    expect(dry.dropped).toHaveLength(4);
    expect(byKind).toEqual({
      template: first.name,
      clone: expired.name,
      build: `${third.name}x_b`,
      pool: expect.stringMatching(new RegExp(`^${first.name}_p`)),
    });
    const done = await collectGarbage(temp.project, { keep: 1, unusedForMs: 0 });
    expect(done.dropped).toHaveLength(4);
    const left = (
      await query<{ datname: string }>(
        'postgres',
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
        [temp.prefix],
      )
    ).map((r) => r.datname);
    expect(left).toEqual([kept.name, `${temp.prefix}_mine`, second.name, third.name].sort());
    await expect(dropClones(temp.project, [`${temp.prefix}_mine`])).rejects.toMatchObject({
      code: 'drop.not_dbfast',
      exitCode: 2,
    });
  });
});
