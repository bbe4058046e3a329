import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { lockWork, workName, workPrefix } from '../../src/catalog/work.js';
import { createClone } from '../../src/clone/create-database.js';
import { connect } from '../../src/server/connection.js';
import { collectGarbage } from '../../src/services/gc.js';
import { ensureTemplate } from '../../src/template/ensure.js';
import { runCliJson } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, dropDatabases, query, testServer } from '../helpers/server.js';

/**
 * Issue 12 items 2 and 3 for databases: work in progress is held by a session advisory
 * lock; gc removes leftovers whose lock is free and never a live build's scratch database.
 */

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

async function workDatabases(temp: TempProject): Promise<{ datname: string; comment: string }[]> {
  return query(
    'postgres',
    "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE starts_with(datname, $1)",
    [workPrefix(temp.project.id)],
  );
}

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(50);
  }
}

describe('work in progress', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('an unlabelled work database is kept while its owner lives and collected once it is gone', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const owner = await connect(testServer());
    const work = workName(temp.project.id);
    // What a clone killed during CREATE DATABASE leaves: the database, no label yet.
    await lockWork(owner, work);
    await owner.query(`CREATE DATABASE "${work}"`);
    // Unlabelled databases that are not this project's work are never touched.
    const foreign = await createDatabase(workName(`${temp.project.id}-other`));
    const mine = await createDatabase(`${temp.prefix}_dbfast_wip`);
    try {
      const live = await collectGarbage(temp.project, { keep: 0, unusedForMs: 0 });
      expect(live.dropped).toEqual([]);
      expect((await workDatabases(temp)).map((d) => d.datname)).toEqual([work]);
    } finally {
      await owner.end();
    }
    const gone = await until(async () => {
      const result = await collectGarbage(temp!.project, { dryRun: true });
      return result.dropped.length > 0 ? result : undefined;
    }, 'the lock is released');
    expect(gone.dropped).toEqual([
      { name: work, kind: 'work', reason: 'left by a process killed while creating it' },
    ]);
    await collectGarbage(temp.project);
    expect(await workDatabases(temp)).toEqual([]);
    const left = await query(
      'postgres',
      'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY 1',
      [[foreign, mine]],
    );
    expect(left).toHaveLength(2);
    await dropDatabases(foreign, mine);
  });

  it('gc never drops a live build; SIGKILL of the build leaves a leftover one gc removes', async () => {
    temp = await tempProject({
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\n',
        'sql/b.sql': 'SELECT pg_sleep(2);\n',
      },
    });
    // A live build in this process: gc, at its most aggressive, leaves it alone.
    const building = ensureTemplate(temp.project, { force: true });
    const scratch = await until(async () => {
      const rows = await workDatabases(temp!);
      return rows.find((r) => r.comment?.startsWith('{"dbfast":"build"'));
    }, 'the build is labelled');
    expect(JSON.parse(scratch.comment)).toMatchObject({
      dbfast: 'build',
      project: temp.project.id,
      lock: `dbfast:wip:${scratch.datname}`,
    });
    const during = await collectGarbage(temp.project, { keep: 0, unusedForMs: 0 });
    expect(during.dropped.map((d) => d.name)).not.toContain(scratch.datname);
    const built = await building;
    expect(built.built).toBe(true);
    expect(await workDatabases(temp)).toEqual([]);

    // Now a build process killed hard, mid-build, its session still running the SQL.
    await temp.write('sql/b.sql', 'SELECT pg_sleep(60);\n');
    const child = execa('node', [BIN, 'template', 'build', '--force'], {
      cwd: temp.dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    const killed = await until(async () => {
      const rows = await workDatabases(temp!);
      return rows.find((r) => r.comment?.startsWith('{"dbfast":"build"'));
    }, 'the child build is labelled');
    child.kill('SIGKILL');
    await child;
    const gc = await until(async () => {
      const result = await runCliJson(['gc', '--yes'], { cwd: temp!.dir });
      return result.json.dropped.length > 0 ? result : undefined;
    }, 'gc collects the killed build');
    expect(gc.json.dropped).toEqual([
      expect.objectContaining({ name: killed.datname, kind: 'build' }),
    ]);
    expect(await workDatabases(temp)).toEqual([]);
    // The orphaned session (still in pg_sleep) went with it, and the next build works.
    expect(
      await query('postgres', 'SELECT pid FROM pg_stat_activity WHERE datname = $1', [
        killed.datname,
      ]),
    ).toEqual([]);
    await temp.write('sql/b.sql', 'SELECT 1;\n');
    const next = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(next.exitCode).toBe(0);
  });

  it('forced rebuilds racing gc --keep 0 all succeed, and the template is there after each', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\nSELECT pg_sleep(0.2);\n' },
    });
    const project = temp.project;
    await ensureTemplate(project);
    let racing = true;
    const collector = (async () => {
      let rounds = 0;
      while (racing || rounds === 0) {
        await collectGarbage(project, { keep: 0, unusedForMs: 0 });
        rounds += 1;
      }
      return rounds;
    })();
    try {
      for (let i = 0; i < 4; i += 1) {
        const built = await ensureTemplate(project, { force: true });
        expect(built.built).toBe(true);
        expect(
          await query('postgres', 'SELECT datistemplate FROM pg_database WHERE datname = $1', [
            built.name,
          ]),
        ).toEqual([{ datistemplate: true }]);
      }
    } finally {
      racing = false;
    }
    expect(await collector).toBeGreaterThan(0);
    // The last rebuilds' replaced templates are dropped off the build's path: wait for them.
    const current = temp;
    await eventually(async () => (await workDatabases(current)).length === 0);
    expect(await workDatabases(temp)).toEqual([]);
  });

  it('a clone holds its work lock only while it works (a long-lived connection keeps none)', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const template = await ensureTemplate(temp.project);
    const client = await connect(testServer());
    try {
      const options = {
        project: temp.project.id,
        template: template.name,
        env: template.env,
        serverMajor: template.serverMajor,
        templateBytes: template.sizeBytes,
        strategy: 'auto' as const,
      };
      await createClone(client, { ...options, name: `${temp.prefix}_l1` });
      const taken = await createClone(client, { ...options, name: `${temp.prefix}_l1` }).catch(
        (e: unknown) => e,
      );
      expect(taken).toMatchObject({ code: 'clone.exists' });
      await createClone(client, { ...options, name: `${temp.prefix}_l1`, force: true });
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
      );
      expect(rows).toEqual([{ n: 0 }]);
      expect(await workDatabases(temp)).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
