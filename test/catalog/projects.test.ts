import { afterAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../../src/clone/clone-database.js';
import { listClones } from '../../src/clone/inventory.js';
import { drainPool, fillPool, poolMembers } from '../../src/clone/pool.js';
import type { Project } from '../../src/project.js';
import { collectGarbage } from '../../src/services/gc.js';
import { ensureTemplate } from '../../src/template/ensure.js';
import { dropTemplates, listTemplates, templateStatus } from '../../src/template/manage.js';
import { runCliJson } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { dropDatabasesLike, query, testServerUrl, uniqueName } from '../helpers/server.js';

/**
 * "What was seen" 2 of the ownership issue: projects sharing a server (same template_name,
 * prefix-sharing template names) and two checkouts of one project on different branches
 * must never list or drop each other's databases.
 */

const base = uniqueName('own');
const made: TempProject[] = [];

afterAll(async () => {
  await dropDatabasesLike(base);
  for (const temp of made) await temp.cleanup();
});

/** A project on the test server with its own template_name / [project] name and one table. */
async function project(
  templateName: string,
  table: string,
  extra = '',
): Promise<{ temp: TempProject; project: Project }> {
  const temp = await tempProject({
    files: { 'sql/a.sql': `CREATE TABLE ${table} (x int);\n` },
    configText: `${extra}[database]\nurl = "${testServerUrl()}"\ntemplate_name = "${templateName}"\n[repository]\npath = "./sql"\n[pool]\nsize = 1\n`,
  });
  made.push(temp);
  return { temp, project: temp.project };
}

interface Owned {
  all: string[];
  current: string;
  clone: string;
}

/** A template, a stale template, a clone and a pool member: everything a project owns. */
async function populate(p: Project, temp: TempProject, table: string): Promise<Owned> {
  const old = await ensureTemplate(p);
  await temp.write('sql/a.sql', `CREATE TABLE ${table} (x int, y int);\n`);
  const current = await ensureTemplate(p);
  const clone = await cloneDatabase(p, { name: `${base}_${table}_clone`, ttlMs: 3_600_000 });
  const pool = await fillPool(p);
  expect(pool.created).toHaveLength(1);
  const all = [old.name, current.name, clone.name, ...pool.created].sort();
  return { all, current: current.name, clone: clone.name };
}

async function existing(names: string[]): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    'postgres',
    'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY 1',
    [names],
  );
  return rows.map((r) => r.datname);
}

/** What project `p` lists as its own: templates, clones, pool members (library and CLI). */
async function listed(p: Project, dir: string): Promise<string[]> {
  const cli = await runCliJson(['list'], { cwd: dir });
  const templates = await runCliJson(['template', 'list'], { cwd: dir });
  return [
    ...(await listTemplates(p)).map((t) => t.name),
    ...(await listClones(p)).map((c) => c.name),
    ...(await poolMembers(p)).map((m) => m.name),
    ...cli.json.clones.map((c: { name: string }) => c.name),
    ...templates.json.templates.map((t: { name: string }) => t.name),
  ];
}

/** Everything project `a` can do to what it considers garbage, at its most aggressive. */
async function attack(a: Project, dir: string): Promise<void> {
  await collectGarbage(a, { keep: 0, unusedForMs: 0 });
  await dropTemplates(a, { stale: true, keep: 0, unusedForMs: 0 });
  await drainPool(a);
  const gc = await runCliJson(['gc', '--keep', '0', '--unused-for', '0s', '--yes'], { cwd: dir });
  expect(gc.exitCode).toBe(0);
  const drop = await runCliJson(['template', 'drop', '--stale', '--yes'], { cwd: dir });
  expect(drop.exitCode).toBe(0);
  const drain = await runCliJson(['pool', 'drain', '--yes'], { cwd: dir });
  expect(drain.exitCode).toBe(0);
}

/** Project a attacks; nothing of b is listed by a or dropped; a's own garbage did go. */
async function expectApart(
  a: { temp: TempProject; project: Project },
  b: { temp: TempProject; project: Project },
  tables: [string, string],
): Promise<void> {
  const theirs = await populate(b.project, b.temp, tables[1]);
  const mine = await populate(a.project, a.temp, tables[0]);
  expect(mine.all.filter((n) => theirs.all.includes(n))).toEqual([]);
  expect((await listed(a.project, a.temp.dir)).filter((n) => theirs.all.includes(n))).toEqual([]);
  await attack(a.project, a.temp.dir);
  expect(await existing(theirs.all)).toEqual(theirs.all);
  expect(await templateStatus(b.project)).toMatchObject({ current: true, reasons: [] });
  // The attack was real: the attacker's own stale template and pool member went.
  expect(await existing(mine.all)).toEqual([mine.clone, mine.current].sort());
}

const aggressive = '[templates]\nunused_for = "0s"\nkeep = 0\n';

describe('projects sharing a server', () => {
  it('two projects with the same template_name never list or drop each other', async () => {
    const shared = `${base}_app`;
    const a = await project(shared, 'ta', `[project]\nname = "${base}-alpha"\n${aggressive}`);
    const b = await project(shared, 'tb', `[project]\nname = "${base}-beta"\n`);
    await expectApart(a, b, ['ta', 'tb']);
  });

  it('prefix-sharing template names (shop, shop_b) never list or drop each other', async () => {
    const shop = await project(`${base}_shop`, 'sa', aggressive);
    const shopB = await project(`${base}_shop_b`, 'sb');
    await expectApart(shop, shopB, ['sa', 'sb']);
    const reverse = await project(`${base}_shop_b`, 'sc', aggressive);
    const plain = await project(`${base}_shop`, 'sd');
    await expectApart(reverse, plain, ['sc', 'sd']);
  });

  it('two checkouts of one project on different branches keep each other current', async () => {
    const name = `${base}_repo`;
    const main = await project(name, 'm1');
    const branch = await project(name, 'b1');
    const onMain = await ensureTemplate(main.project);
    const onBranch = await ensureTemplate(branch.project);
    const mainList = await listTemplates(main.project);
    // The same project: the branch's template is listed, but not current here...
    expect(mainList.find((t) => t.name === onBranch.name)).toMatchObject({ current: false });
    // ...and retention keeps it: it was used just now (by the other checkout).
    const gc = await runCliJson(['gc', '--keep', '0', '--yes'], { cwd: main.temp.dir });
    expect(gc.exitCode).toBe(0);
    expect(gc.json.dropped).toEqual([]);
    const drop = await runCliJson(['template', 'drop', '--stale', '--yes'], {
      cwd: main.temp.dir,
    });
    expect(drop.json.dropped).toEqual([]);
    expect(await existing([onMain.name, onBranch.name])).toEqual(
      [onMain.name, onBranch.name].sort(),
    );
    expect(await templateStatus(branch.project)).toMatchObject({ current: true });
    // Unused for longer than unused_for, it goes: --dry-run says so first.
    const dry = await runCliJson(['template', 'drop', '--stale', '--dry-run'], {
      cwd: main.temp.dir,
      env: {},
    });
    expect(dry.json).toMatchObject({ dryRun: true, dropped: [] });
    const later = await collectGarbage(main.project, { keep: 0, unusedForMs: 0, dryRun: true });
    expect(later.dropped.map((d) => d.name)).toEqual([onBranch.name]);
  });

  it('a clone records when its template was last used, at most every few minutes', async () => {
    const { temp, project: p } = await project(`${base}_used`, 'u1');
    const built = await ensureTemplate(p);
    const labelOf = async () =>
      JSON.parse(
        (
          await query<{ c: string }>(
            'postgres',
            "SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1",
            [built.name],
          )
        )[0]?.c ?? '{}',
      );
    // Built just now: a clone does not touch the label.
    await cloneDatabase(p, { name: `${base}_u1a` });
    expect((await labelOf()).lastUsedAt).toBeUndefined();
    // Built two days ago (as another checkout's template may have been): the next clone
    // records its use, and retention then keeps it although it is not current elsewhere.
    const old = {
      ...(await labelOf()),
      createdAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    };
    await query('postgres', `COMMENT ON DATABASE "${built.name}" IS '${JSON.stringify(old)}'`);
    await temp.write('sql/a.sql', 'CREATE TABLE u1 (x int, y int);\n');
    const other = temp.reopen();
    const listed = await listTemplates(other);
    expect(listed.find((t) => t.name === built.name)).toMatchObject({ current: false });
    expect(
      (await collectGarbage(other, { keep: 0, dryRun: true })).dropped.map((d) => d.name),
    ).toEqual([built.name]);
    await cloneDatabase(p, { name: `${base}_u1b`, template: built.name });
    const touched = await labelOf();
    expect(Date.now() - Date.parse(touched.lastUsedAt)).toBeLessThan(60_000);
    expect(touched.createdAt).toBe(old.createdAt);
    expect((await collectGarbage(other, { keep: 0, dryRun: true })).dropped).toEqual([]);
  });
});
