import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templateStatus } from '../../src/index.js';
import { initProject } from '../../src/services/init.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import type { TempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';
import { cloneOf, presetProject } from './helpers.js';

const GOOSE = {
  'migrations/1_users.sql': `-- +goose Up
CREATE TABLE users (id int PRIMARY KEY, name text);
-- +goose Down
DROP TABLE users;
`,
};

describe('presets: fingerprint, seeds, explanations, errors, init', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('an edit of a Down section leaves the template current; an edit of an Up section makes it stale', async () => {
    temp = await presetProject('goose', GOOSE);
    await cloneOf(temp);
    await temp.write(
      'migrations/1_users.sql',
      GOOSE['migrations/1_users.sql'].replace(
        'DROP TABLE users;',
        'DROP TABLE IF EXISTS users CASCADE;',
      ),
    );
    expect((await templateStatus(temp.reopen())).current).toBe(true);
    await temp.write(
      'migrations/1_users.sql',
      GOOSE['migrations/1_users.sql'].replace('name text', 'name text NOT NULL'),
    );
    const status = await templateStatus(temp.reopen());
    expect(status.current).toBe(false);
    expect(status.reasons).toContain('changed: 1_users.sql');
  });

  it('sqitch: a change of sqitch.plan makes the template stale; a revert script does not', async () => {
    temp = await presetProject('sqitch', {
      'sqitch.plan':
        '%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\nb 2024-01-01T00:00:00Z A <a@x>\n',
      'deploy/a.sql': 'CREATE TABLE a (id int);\n',
      'deploy/b.sql': 'CREATE TABLE b (id int);\n',
    });
    await cloneOf(temp);
    await temp.write('revert/a.sql', 'DROP TABLE a;\n');
    expect((await templateStatus(temp.reopen())).current).toBe(true);
    await temp.write('sqitch.plan', '%project=p\n\na 2024-01-01T00:00:00Z A <a@x>\n');
    const status = await templateStatus(temp.reopen());
    expect(status.current).toBe(false);
    expect(status.reasons).toEqual(
      expect.arrayContaining(['removed: deploy/b.sql', 'changed: sqitch.plan']),
    );
  });

  it('seed folders (relative to dbfast.toml) run after the migrations and after nothing else', async () => {
    temp = await presetProject(
      'goose',
      {
        ...GOOSE,
        'seed/common/1_users.sql': "INSERT INTO users VALUES (1, 'ada');\n",
        'seed/dev/users.csv': 'id,name\n2,bob\n',
      },
      '\n[environments.local]\ninclude_directories = ["seed/common", "seed/dev"]\n\n[environments.test]\n',
    );
    const local = await cloneOf(temp, 'local');
    expect(await query(local, 'SELECT id, name FROM users ORDER BY id')).toEqual([
      { id: 1, name: 'ada' },
      { id: 2, name: 'bob' },
    ]);
    expect(await query(local, 'SELECT count(*)::int AS n FROM goose_db_version')).toEqual([
      { n: 2 },
    ]);
    const test = await cloneOf(temp, 'test');
    expect(await query(test, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
  });

  it('preset migrations are read as UTF-8 whatever [repository] encoding says (seed files follow it)', async () => {
    temp = await presetProject(
      'goose',
      {
        'migrations/1_cafe.sql':
          "-- +goose Up\nCREATE TABLE menu (item text);\nINSERT INTO menu VALUES ('café');\n",
      },
      'encoding = "LATIN1"\n\n[environments.local]\ninclude_directories = ["seed"]\n',
    );
    await temp.write('seed/1_more.sql', '');
    await writeFile(
      join(temp.dir, 'seed/1_more.sql'),
      Buffer.from("INSERT INTO menu VALUES ('crème');\n", 'latin1'),
    );
    const clone = await cloneOf(temp, 'local');
    expect(await query(clone, 'SELECT item FROM menu ORDER BY item')).toEqual([
      { item: 'café' },
      { item: 'crème' },
    ]);
  });

  it('validate-env says what the preset selected and why; a missing seed folder is an error', async () => {
    temp = await presetProject(
      'golang-migrate',
      {
        'migrations/1_a.up.sql': 'CREATE TABLE a (id int);\n',
        'migrations/1_a.down.sql': 'DROP TABLE a;\n',
        'migrations/notes.txt': 'hi\n',
      },
      '\n[environments.local]\n\n[environments.broken]\ninclude_directories = ["seeds"]\n',
    );
    const ok = await runCli(['validate-env', 'local'], { cwd: temp.dir });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('[repository] type = "golang-migrate": 1 migrations');
    expect(ok.stdout).toContain('1. 1_a.up.sql: up migration, version 1');
    expect(ok.stdout).toContain('left out: 1_a.down.sql (a down migration)');
    expect(ok.stdout).toContain('left out: notes.txt (not named <version>_<title>.up.sql)');
    expect(ok.stdout).toContain("golang-migrate's bookkeeping");
    const broken = await runCliJson(['validate-env', 'broken'], { cwd: temp.dir });
    expect(broken.exitCode).toBe(1);
    expect(broken.json.error.message).toContain('include_directories: "seeds" is not a folder');
  });

  it('refuses what the tool refuses, and runner = "psql" with a preset', async () => {
    temp = await presetProject('goose', { 'migrations/1_x.sql': 'CREATE TABLE x (id int);\n' });
    const noUp = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(noUp.exitCode).toBe(1);
    expect(noUp.json.error).toMatchObject({
      code: 'preset.goose_no_up',
      message: expect.stringContaining('1_x.sql has no "-- +goose Up" annotation'),
    });
    await temp.write(
      'dbfast.toml',
      (await readFile(join(temp.dir, 'dbfast.toml'), 'utf8')).replace(
        'type = "goose"',
        'type = "goose"\nrunner = "psql"',
      ),
    );
    const psql = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(psql.exitCode).toBe(2);
    expect(psql.json.error.code).toBe('config.preset_runner');
    await temp.write(
      'dbfast.toml',
      (await readFile(join(temp.dir, 'dbfast.toml'), 'utf8')).replace(
        'type = "goose"',
        'type = "gooze"',
      ),
    );
    const unknown = await runCliJson(['status'], { cwd: temp.dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.json.error.message).toContain(
      'expected one of "plain", "sql", "structured", "prisma"',
    );
  });

  it('bookkeeping that collides with a migration fails with a message naming the table', async () => {
    temp = await presetProject('golang-migrate', {
      'migrations/1_a.up.sql': 'CREATE TABLE schema_migrations (version text);\n',
    });
    const result = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(result.exitCode).toBe(1);
    expect(result.json.error.code).toBe('sql.bookkeeping_failed');
    expect(result.json.error.message).toContain('recording them in the migration tool');
  });
});

describe('dbfast init detects the layout', () => {
  const cases: Array<[string, Record<string, string>, string, string]> = [
    [
      'prisma',
      { 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' },
      'prisma',
      'prisma/migrations',
    ],
    [
      'supabase',
      { 'supabase/migrations/20240101000000_a.sql': 'select 1;\n' },
      'supabase',
      'supabase/migrations',
    ],
    ['drizzle', { 'drizzle/meta/_journal.json': '{"entries":[]}' }, 'drizzle', 'drizzle'],
    [
      'graphile-migrate',
      { '.gmrc': '{}', 'migrations/committed/.keep': '' },
      'graphile-migrate',
      'migrations',
    ],
    ['sqitch', { 'sqitch.plan': '%project=x\n' }, 'sqitch', '.'],
    [
      'golang-migrate',
      { 'db/migrations/1_a.up.sql': 'select 1;\n' },
      'golang-migrate',
      'db/migrations',
    ],
    ['flyway', { 'db/migration/V1__a.sql': 'select 1;\n' }, 'flyway', 'db/migration'],
    ['goose', { 'db/migrations/1_a.sql': '-- +goose Up\nselect 1;\n' }, 'goose', 'db/migrations'],
    [
      'dbmate',
      { 'db/migrations/1_a.sql': '-- migrate:up\nselect 1;\n' },
      'dbmate',
      'db/migrations',
    ],
    [
      'node-pg-migrate',
      { 'migrations/1_a.sql': '-- Up Migration\nselect 1;\n' },
      'node-pg-migrate',
      'migrations',
    ],
  ];
  for (const [label, files, type, path] of cases) {
    it(`${label}: writes type = "${type}"`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dbfast-init-'));
      try {
        for (const [file, text] of Object.entries(files)) {
          await mkdir(dirname(join(dir, file)), { recursive: true });
          await writeFile(join(dir, file), text);
        }
        const result = await initProject(dir);
        expect(result.detected).toMatchObject({ type, path });
        expect(result.written).toEqual(['dbfast.toml', '.dbfast/.gitignore']);
        expect(await readFile(join(dir, 'dbfast.toml'), 'utf8')).toContain(`type = "${type}"`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('the CLI says what it found, and the written config builds a template the tool accepts', async () => {
    const temp = await presetProject('plain', {
      'db/migrations/20240101000000_a.sql':
        '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
    });
    try {
      const config = await readFile(join(temp.dir, 'dbfast.toml'), 'utf8');
      await rm(join(temp.dir, 'dbfast.toml'));
      const init = await runCli(['init'], { cwd: temp.dir });
      expect(init.exitCode).toBe(0);
      expect(init.stdout).toContain(
        'Found db/migrations/ with "-- migrate:up" sections: a dbmate project.',
      );
      // Keep the test server and prefix, with what init wrote for the repository.
      const written = await readFile(join(temp.dir, 'dbfast.toml'), 'utf8');
      await writeFile(
        join(temp.dir, 'dbfast.toml'),
        config.replace(
          'type = "plain"',
          written.slice(
            written.indexOf('type ='),
            written.indexOf('\n', written.indexOf('type =')),
          ),
        ),
      );
      const clone = await cloneOf(temp);
      expect(await query(clone, 'SELECT version FROM schema_migrations')).toEqual([
        { version: '20240101000000' },
      ]);
    } finally {
      await temp.cleanup();
    }
  });
});
