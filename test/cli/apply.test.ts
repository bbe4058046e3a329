import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, query } from '../helpers/server.js';

const ENVIRONMENTS = `
[environments.local]
include_directories = ["0_schema", "1_seed"]

[environments.test]
include_directories = ["0_schema"]

[environments.broken]
include_directories = ["0_schema", "9_missing"]

[environments.failing]
include_directories = ["0_schema", "bad"]

[environments.production]
include_directories = ["0_schema", "1_seed"]
`;

const FILES = {
  'sql/0_schema/001_tables.sql': 'CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n',
  'sql/1_seed/001_users.sql': "INSERT INTO users VALUES (1, 'ada'), (2, 'bob');\n",
  'sql/1_seed/users.csv': 'id,name\n3,cy\n4,di\n',
  'sql/bad/001_broken.sql':
    "SELECT 1;\nINSERT INTO users VALUES (5, 'eve');\nINSERT INTO nope VALUES (1);\n",
};

describe('dbfast apply, environments, validate-env (built CLI)', () => {
  let temp: TempProject;
  beforeAll(async () => {
    temp = await tempProject({ files: FILES, toml: ENVIRONMENTS });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('apply runs the default environment into an existing database; -v lists each file with its mode', async () => {
    const db = await createDatabase(`${temp.prefix}_apply`);
    const result = await runCli(['-v', 'apply', '--db', db], { cwd: temp.dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^0_schema\/001_tables\.sql +transaction +1 +0 +\d+ ms$/m);
    expect(result.stdout).toMatch(/^1_seed\/users\.csv +csv +1 +2 +\d+ ms$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^applied 3 files of local to ${db}: 3 statements, 4 rows in \\d`, 'm'),
    );
    expect(await query(db, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 4 }]);

    const json = await runCliJson(['apply', '--db', `${temp.prefix}_apply_t`, '--env', 'test'], {
      cwd: temp.dir,
    });
    // The database does not exist yet: create it, then apply works.
    expect(json.exitCode).toBe(1);
    expect(json.json.error).toMatchObject({
      code: 'server.database_missing',
      hint: expect.stringContaining(`dbfast clone ${temp.prefix}_apply_t`),
    });
    await createDatabase(`${temp.prefix}_apply_t`);
    const ok = await runCliJson(['apply', '--db', `${temp.prefix}_apply_t`, '--env', 'test'], {
      cwd: temp.dir,
    });
    expect(ok.exitCode).toBe(0);
    expect(ok.json).toMatchObject({
      ok: true,
      env: 'test',
      database: `${temp.prefix}_apply_t`,
      files: [{ path: '0_schema/001_tables.sql', mode: 'transaction', statements: 1, rows: 0 }],
      statements: 1,
      rows: 0,
    });
  });

  it('an SQL error prints file:line:col and the excerpt with a caret, exits 1 and rolls back that file only', async () => {
    const db = await createDatabase(`${temp.prefix}_fail`);
    const result = await runCli(['apply', '--db', db, '--env', 'failing'], { cwd: temp.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^error: bad\/001_broken\.sql:3:13: ERROR: relation "nope" does not exist$/m,
    );
    expect(result.stderr).toContain('INSERT INTO nope VALUES (1);');
    expect(result.stderr).toMatch(/^ *\| {13}\^$|^\s+\^$/m);
    expect(result.stdout).toBe('');
    // The schema file committed; the failing file's first INSERT was rolled back with it.
    expect(await query(db, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
  });

  it('apply to a missing database says so and hints at creating it or dbfast clone', async () => {
    const result = await runCli(['apply', '--db', `${temp.prefix}_nowhere`], { cwd: temp.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: Database "${temp.prefix}_nowhere" does not exist`);
    expect(result.stderr).toMatch(/^hint: Create it \(createdb .*`dbfast clone /m);
    const usage = await runCli(['apply'], { cwd: temp.dir });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain("required option '-d, --db <name>' not specified");
  });

  it('environments lists name, file count, directories and the default, as text and JSON', async () => {
    const json = await runCliJson(['environments'], { cwd: temp.dir });
    expect(json.exitCode).toBe(0);
    expect(json.json.environments).toEqual([
      {
        name: 'local',
        default: true,
        files: 3,
        includeDirectories: ['0_schema', '1_seed'],
        excludeDirectories: [],
        includeFiles: [],
        excludeFiles: [],
      },
      expect.objectContaining({ name: 'test', default: false, files: 1 }),
      expect.objectContaining({ name: 'broken', files: 1 }),
      expect.objectContaining({ name: 'failing', files: 2 }),
      expect.objectContaining({ name: 'production', files: 3 }),
    ]);
    const text = await runCli(['environments'], { cwd: temp.dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^environment +files +include +exclude$/m);
    expect(text.stdout).toMatch(/^local +3 +0_schema, 1_seed +- +default$/m);
    expect(text.stdout).toMatch(/^test +1 +0_schema +-$/m);
  });

  it('validate-env: a clean environment exits 0; a missing directory exits 1 naming it', async () => {
    const clean = await runCliJson(['validate-env', 'local'], { cwd: temp.dir });
    expect(clean.exitCode).toBe(0);
    expect(clean.json).toEqual({
      ok: true,
      env: 'local',
      files: ['0_schema/001_tables.sql', '1_seed/001_users.sql', '1_seed/users.csv'],
      errors: [],
      warnings: [],
    });
    const text = await runCli(['validate-env', 'local'], { cwd: temp.dir });
    expect(text.stdout.trim()).toBe('local: ok, 3 files');

    const broken = await runCli(['validate-env', 'broken'], { cwd: temp.dir });
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain('error: Environment "broken" has 1 error:');
    expect(broken.stderr).toContain('include_directories: "9_missing" does not exist in');
    const brokenJson = await runCliJson(['validate-env', 'broken'], { cwd: temp.dir });
    expect(brokenJson.exitCode).toBe(1);
    expect(brokenJson.json.error).toMatchObject({
      code: 'env.invalid',
      problems: [expect.stringContaining('"9_missing" does not exist')],
    });

    const unknown = await runCli(['validate-env', 'nope'], { cwd: temp.dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('No environment "nope"');
  });

  it('validate-env warns about a production environment with seed data and files no environment selects', async () => {
    const prod = await runCliJson(['validate-env', 'production'], { cwd: temp.dir });
    expect(prod.exitCode).toBe(0);
    expect(prod.json.ok).toBe(true);
    expect(prod.json.warnings).toEqual([
      expect.stringMatching(/"production" looks like a production environment .*: 1_seed /),
    ]);

    await temp.write('sql/extra/stray.sql', 'SELECT 1;\n');
    try {
      const orphan = await runCli(['validate-env', 'local'], { cwd: temp.dir });
      expect(orphan.exitCode).toBe(0);
      expect(orphan.stdout).toContain(
        'warning: 1 file is selected by no environment: extra/stray.sql',
      );
    } finally {
      await rm(join(temp.dir, 'sql/extra'), { recursive: true, force: true });
    }
  });
});
