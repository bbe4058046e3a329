import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../../src/clone/clone-database.js';
import { fillPool } from '../../src/clone/pool.js';
import { openProject } from '../../src/project.js';
import { ensureTemplate } from '../../src/template/ensure.js';
import { runCli } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, dropDatabasesLike, query, testServerUrl } from '../helpers/server.js';

/**
 * "What was seen" 1 and 4 of the ownership issue: `--force` on clone and seed replaced any
 * database of that name, and dbfast's own name patterns could be taken by clones.
 */
describe('--force replaces only clones of this project', () => {
  let temp: TempProject;
  let other: TempProject;
  const cli = (args: string[], dir = temp.dir) => runCli(args, { cwd: dir });
  beforeAll(async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[environments.local]\n[environments.test]\n',
    });
    // The remote's database lives on the same server, as remotes beside dev databases do.
    await temp.write(
      'dbfast.toml',
      `[database]\nurl = "${testServerUrl()}"\ntemplate_name = "${temp.prefix}"\n[repository]\npath = "./sql"\n[environments.local]\n[environments.test]\n[remotes.x]\nurl = "${testServerUrl().replace(/\/[^/]*$/, `/${temp.prefix}_remote`)}"\n`,
    );
    temp.reopen();
    other = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE b (y int);\n' } });
  });
  afterAll(async () => {
    await temp.cleanup();
    await other.cleanup();
  });

  it('refuses a hand-made database, a remote database, another project clone; keeps their data', async () => {
    const precious = await createDatabase(`${temp.prefix}_handmade`);
    await query(precious, 'CREATE TABLE precious (v text)');
    await query(precious, "INSERT INTO precious VALUES ('keep me')");
    await createDatabase(`${temp.prefix}_remote`);
    const theirs = `${temp.prefix}_theirs`;
    expect((await cli(['clone', theirs], other.dir)).exitCode).toBe(0);

    for (const args of [
      ['clone', precious, '--force'],
      ['seed', '--output', precious, '--force'],
    ]) {
      const refused = await cli(args);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(
        `Refusing to replace "${precious}": it is a database dbfast did not make.`,
      );
      expect(refused.stderr).toContain(`dbfast drop ${precious} --force`);
    }
    const remote = await cli(['clone', `${temp.prefix}_remote`, '--force']);
    expect(remote.exitCode).toBe(2);
    expect(remote.stderr).toContain('a database dbfast did not make');
    const foreign = await cli(['clone', theirs, '--force']);
    expect(foreign.exitCode).toBe(2);
    expect(foreign.stderr).toContain(`it is a clone of project "${other.prefix}"`);

    expect(await query(precious, 'SELECT v FROM precious')).toEqual([{ v: 'keep me' }]);
    expect(await query(theirs, "SELECT to_regclass('b') IS NOT NULL AS ok")).toEqual([
      { ok: true },
    ]);
    // drop refuses it the same way, and drops it deliberately with --force and a yes.
    const drop = await cli(['drop', precious, '--yes']);
    expect(drop.exitCode).toBe(2);
    expect(drop.stderr).toContain(`"${precious}" is a database dbfast did not make`);
    const dropped = await cli(['drop', precious, '--force', '--yes']);
    expect(dropped.exitCode).toBe(0);
  });

  it('refuses a template and a pool member of this project; replaces its own clone', async () => {
    const test = await ensureTemplate(temp.project, { env: 'test' });
    const asTemplate = await cli(['clone', test.name, '--force']);
    expect(asTemplate.exitCode).toBe(2);
    expect(asTemplate.stderr).toContain(`"${test.name}" looks like a template`);
    const viaSeed = await cli(['seed', '--output', test.name, '--force', '--env', 'local']);
    expect(viaSeed.exitCode).toBe(2);
    expect(
      await query('postgres', 'SELECT datistemplate FROM pg_database WHERE datname = $1', [
        test.name,
      ]),
    ).toEqual([{ datistemplate: true }]);

    // A pool through the library only: the CLI would start background refills.
    const configPath = join(temp.dir, 'dbfast.toml');
    const pooled = openProject({
      configPath,
      configText: `${readFileSync(configPath, 'utf8')}[pool]\nsize = 1\n`,
      env: {},
    });
    const fill = await fillPool(pooled, { env: 'test' });
    const member = fill.created[0] as string;
    const asMember = await cli(['clone', member, '--force']);
    expect(asMember.exitCode).toBe(2);
    expect(asMember.stderr).toContain('looks like a pool member');

    const mine = `${temp.prefix}_mine`;
    expect((await cli(['clone', mine, '--env', 'test'])).exitCode).toBe(0);
    await query(mine, 'CREATE TABLE scribble (x int)');
    const replaced = await cli(['clone', mine, '--force', '--env', 'test']);
    expect(replaced.exitCode).toBe(0);
    expect(await query(mine, "SELECT to_regclass('scribble') IS NULL AS fresh")).toEqual([
      { fresh: true },
    ]);
  });

  it('a build never drops a database that took its scratch name; a `_p…` clone is no pool member', async () => {
    const fresh = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE c (x int);\n' },
      toml: '[pool]\nsize = 2\n',
    });
    try {
      const built = await ensureTemplate(fresh.project);
      // Made by hand under 0.1.0's scratch name: a forced rebuild leaves it alone.
      const squatter = await createDatabase(`${built.name}_b`);
      await query(squatter, 'CREATE TABLE precious (x int)');
      const rebuilt = await ensureTemplate(fresh.project, { force: true });
      expect(rebuilt.built).toBe(true);
      expect(await query(squatter, "SELECT to_regclass('precious') IS NOT NULL AS ok")).toEqual([
        { ok: true },
      ]);
      await expect(cloneDatabase(fresh.project, { name: `${built.name}_b` })).rejects.toMatchObject(
        {
          code: 'clone.reserved_name',
          exitCode: 2,
          message: expect.stringContaining("looks like a template build's scratch database"),
        },
      );
      const lookalike = await cloneDatabase(fresh.project, {
        name: `${built.name}_pxyz`,
        build: false,
      });
      expect(lookalike.fromPool).toBeUndefined();
      const fill = await fillPool(fresh.project);
      expect(fill.created).toHaveLength(2);
      expect(fill.ready).toBe(2);
    } finally {
      await dropDatabasesLike(fresh.prefix);
      await fresh.cleanup();
    }
  });
});
