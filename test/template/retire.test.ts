import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMetadata, writeMetadata } from '../../src/catalog/label.js';
import { lockWork, workLock, workName, workPrefix } from '../../src/catalog/work.js';
import { collectGarbage, ensureTemplate } from '../../src/index.js';
import { connect } from '../../src/server/connection.js';
import { databaseIdent } from '../../src/server/identifiers.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';

/** The project's databases (templates and work names), with their labels. */
async function databases(
  temp: TempProject,
): Promise<{ datname: string; comment: string | null }[]> {
  return query(
    'postgres',
    "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2) ORDER BY datname",
    [temp.prefix, workPrefix(temp.project.id)],
  );
}

/** The project's replaced templates waiting for their drop. */
async function retired(temp: TempProject): Promise<string[]> {
  return (await databases(temp))
    .filter((d) => {
      const label = parseMetadata(d.comment);
      return label?.dbfast === 'build' && label.retired === true;
    })
    .map((d) => d.datname);
}

/** `promise`, or 'waited' when it takes more than 30 s (it would wait for a drop that cannot finish). */
function within<T>(promise: Promise<T>): Promise<T | 'waited'> {
  return Promise.race([
    promise,
    new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 30_000).unref()),
  ]);
}

describe('the template a rebuild replaces', () => {
  let temp: TempProject | undefined;
  let holder: pg.Client | undefined;
  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    await temp?.cleanup();
    temp = undefined;
  });

  it('is dropped off the path: a forced rebuild (library and CLI) returns while its drop cannot finish, and the drop then finishes alone', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const first = await ensureTemplate(temp.project);
    // DROP DATABASE removes the database's per-role settings (pg_db_role_setting); renaming,
    // labelling, creating databases and logging in do not touch that table. Holding it in
    // SHARE mode makes every DROP DATABASE wait (kept short: other test files drop too).
    holder = await connect(testServer());
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pg_db_role_setting IN SHARE MODE');
    const rebuilt = await within(ensureTemplate(temp.project, { force: true }));
    expect(rebuilt).not.toBe('waited');
    const cli = await within(runCli(['template', 'build', '--force'], { cwd: temp.dir }));
    expect(cli).toMatchObject({ exitCode: 0 });
    // Both replaced templates are still there, labelled, no longer templates, their drops
    // running (waiting for the lock), and gc leaves them to their owners.
    const pending = await retired(temp);
    expect(pending).toHaveLength(2);
    const rows = await query<{ datistemplate: boolean }>(
      'postgres',
      'SELECT datistemplate FROM pg_database WHERE datname = ANY($1)',
      [pending],
    );
    expect(rows.map((r) => r.datistemplate)).toEqual([false, false]);
    const dropping = await query(
      'postgres',
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'dbfast retire' AND query LIKE 'DROP DATABASE%' AND wait_event_type = 'Lock'",
    );
    expect(dropping.length).toBeGreaterThanOrEqual(2);
    const gc = await collectGarbage(temp.project, { dryRun: true });
    expect(gc.dropped.map((item) => item.name).filter((n) => pending.includes(n))).toEqual([]);
    await holder.query('COMMIT');
    expect(await eventually(async () => (await retired(temp as TempProject)).length === 0)).toBe(
      true,
    );
    expect((await databases(temp)).map((d) => d.datname)).toEqual([first.name]);
  });

  it('left behind by a process that died before dropping it, is collected by gc and by the next build, never while its owner lives', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const project = temp.project;
    const first = await ensureTemplate(project);
    // What publishing leaves when the process dies right after it: the old template under a
    // work name, labelled as retired, its work lock held by the (live) retiring session.
    const name = workName(project.id);
    holder = await connect(testServer());
    await lockWork(holder, name);
    await holder.query(
      `ALTER DATABASE ${databaseIdent(first.name)} RENAME TO ${databaseIdent(name)}`,
    );
    await holder.query(`ALTER DATABASE ${databaseIdent(name)} WITH IS_TEMPLATE false`);
    await writeMetadata(holder, name, {
      dbfast: 'build',
      project: project.id,
      template: first.name,
      retired: true,
      startedAt: new Date().toISOString(),
      pid: 1,
      host: 'elsewhere',
      lock: workLock(name),
    });
    // Alive: neither gc nor a build touches it.
    await collectGarbage(project);
    const rebuilt = await ensureTemplate(project);
    expect(rebuilt.built).toBe(true);
    expect(await retired(temp)).toEqual([name]);
    // Its owner dies: gc names it, then the next build drops it first.
    await holder.end();
    holder = undefined;
    const gc = await collectGarbage(project, { dryRun: true });
    expect(gc.dropped).toContainEqual({
      name,
      kind: 'build',
      reason: expect.stringContaining(`previous template ${first.name}, replaced by a rebuild`),
    });
    await ensureTemplate(project, { force: true });
    expect(await eventually(async () => (await retired(temp as TempProject)).length === 0)).toBe(
      true,
    );
    expect((await databases(temp)).map((d) => d.datname)).toEqual([first.name]);
  });
});
