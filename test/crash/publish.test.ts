import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { cloneDatabase, collectGarbage, ensureTemplate } from '../../src/index.js';
import { connect } from '../../src/server/connection.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { dropDatabases, query, testServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

/** The databases of a test project, with their labels. */
async function databases(prefix: string): Promise<{ datname: string; comment: string | null }[]> {
  return query(
    'postgres',
    "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p)) ORDER BY datname",
    [[prefix, workPrefix(prefix)]],
  );
}

/** After a killed build: `clone --no-build` works, and gc leaves the template and that clone. */
async function expectUsableThenCollected(temp: TempProject, template: string): Promise<void> {
  const clone = await runCli(['clone', `${temp.prefix}_k`, '--no-build'], { cwd: temp.dir });
  expect(clone.stderr).toBe('');
  expect(clone.exitCode).toBe(0);
  await collectGarbage(temp.project, { keep: 0 });
  const left = (await databases(temp.prefix)).map((d) => d.datname);
  expect(left).toEqual([template, `${temp.prefix}_k`].sort());
}

describe('publishing a rebuilt template', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('clones (building or --no-build) never fail while the template is rebuilt by force again and again', async () => {
    temp = await tempProject({
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\nINSERT INTO a SELECT generate_series(1, 2000);\n',
      },
    });
    const project = temp.project;
    const first = await ensureTemplate(project);
    let rebuilding = true;
    const failures: string[] = [];
    let clones = 0;
    // Each clone is dropped at once and each loop is capped: on a slow durable server the
    // rebuilds take long, and the loops must not fill its disk meanwhile.
    const cloneLoop = async (build: boolean, id: number): Promise<void> => {
      for (let i = 0; rebuilding && i < 40; i += 1) {
        const name = `${temp?.prefix}_c${id}_${i}`;
        try {
          const clone = await cloneDatabase(project, { name, build });
          expect(clone.template).toBe(first.name);
          clones += 1;
          await dropDatabases(name);
        } catch (error) {
          failures.push(`${build ? 'clone' : 'clone --no-build'}: ${String(error)}`);
        }
      }
    };
    const loops = [cloneLoop(true, 0), cloneLoop(false, 1), cloneLoop(false, 2)];
    try {
      for (let i = 0; i < 4; i += 1) {
        const rebuilt = await ensureTemplate(project, { force: true });
        expect(rebuilt.built).toBe(true);
      }
    } finally {
      rebuilding = false;
      await Promise.all(loops);
    }
    expect(failures).toEqual([]);
    expect(clones).toBeGreaterThan(0);
    // Nothing replaced is left behind (the last one's drop runs off the build's path).
    let names: string[] = [];
    const prefix = temp.prefix;
    await eventually(async () => {
      names = (await databases(prefix)).map((d) => d.datname);
      return names.length === 1;
    });
    expect(names).toEqual([first.name]);
    // A CLI clone --no-build of the final template works too.
    const cli = await runCli(['clone', `${temp.prefix}_cli`, '--no-build'], { cwd: temp.dir });
    expect(cli.stderr).toBe('');
    expect(cli.exitCode).toBe(0);
  });

  it('a forced rebuild killed in the middle of publishing leaves a usable template; gc then leaves nothing else', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const first = await ensureTemplate(temp.project);
    const prefix = temp.prefix;
    // Hold the template's catalog row: the publishing transaction blocks on it, which is the
    // moment to kill the build (the old code had dropped the template by then).
    const holder = await connect(testServer());
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM pg_database WHERE datname = $1 FOR UPDATE', [first.name]);
      const child = execa('node', [BIN, 'template', 'build', '--force'], {
        cwd: temp.dir,
        reject: false,
      });
      let blocked = false;
      for (let i = 0; i < 600 && !blocked; i += 1) {
        const rows = await query(
          'postgres',
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER DATABASE%' AND query LIKE $1",
          [`%${prefix}%`],
        );
        blocked = rows.length > 0;
        if (!blocked) await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await child;
      expect(blocked).toBe(true);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    await expectUsableThenCollected(temp, first.name);
  });

  it('a forced rebuild killed while running its files leaves a usable template; gc then leaves nothing else', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n', 'sql/b.sql': 'SELECT pg_sleep(0.3);\n' },
    });
    const first = await ensureTemplate(temp.project);
    const prefix = temp.prefix;
    const child = execa('node', [BIN, 'template', 'build', '--force'], {
      cwd: temp.dir,
      reject: false,
    });
    let seen = false;
    for (let i = 0; i < 400 && !seen; i += 1) {
      seen =
        (
          await query(
            'postgres',
            "SELECT 1 FROM pg_stat_activity WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p)) AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
            [[prefix, workPrefix(prefix)]],
          )
        ).length > 0;
      if (!seen) await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await child;
    expect(seen).toBe(true);
    await expectUsableThenCollected(temp, first.name);
  });
});
