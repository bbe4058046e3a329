import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { cloneDatabase, DbfastError } from '../../src/index.js';
import { describeFailure, fileSystemError } from '../../src/server/failures.js';
import {
  backupProject,
  createSampleDatabase,
  dropOnBackupServer,
  skipBackups,
} from '../backup/backup-server.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer, uniqueName } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

/** An error printed as a user error: message, no stack, no "this is a bug". */
function expectUserError(stderr: string): void {
  expect(stderr).toMatch(/(^|\n)error: /);
  expect(stderr).not.toContain('this is a bug');
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** Wait until a query on the test server returns a row. */
async function until(sql: string, params: unknown[]): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if ((await query('postgres', sql, params)).length > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${sql}`);
}

describe('errors a user can meet are reported as what they are', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('a role without CREATEDB: permission denied, with PostgreSQL code and a hint', async () => {
    const role = uniqueName('nocreatedb');
    await query('postgres', `CREATE ROLE ${role} LOGIN NOCREATEDB`);
    try {
      const server = testServer();
      temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
      const url = `postgres://${role}@${server.host}:${server.port}/postgres`;
      const text = await runCli(['template', 'build', '--database-url', url], { cwd: temp.dir });
      expect(text.exitCode).toBe(1);
      expectUserError(text.stderr);
      expect(text.stderr).toContain('permission denied to create database');
      expect(text.stderr).toContain('CREATEDB');
      const json = await runCliJson(['template', 'build', '--database-url', url], {
        cwd: temp.dir,
      });
      expect(json.json.error).toMatchObject({
        code: 'server.permission_denied',
        pg: { code: '42501' },
      });
    } finally {
      await query('postgres', `DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('an invalid [repository] settings value is a configuration error', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: 'settings = { statement_timeout = "soon" }\n',
    });
    const result = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(result.exitCode).toBe(1);
    expect(result.json.error).toMatchObject({
      code: 'config.invalid_setting',
      pg: { code: '22023' },
    });
    expect(result.json.error.message).toContain('statement_timeout');
    const text = await runCli(['template', 'build'], { cwd: temp.dir });
    expectUserError(text.stderr);
  });

  it('a build whose session the server ends (restart, terminate) is not blamed on the SQL file', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n', 'sql/b.sql': 'SELECT pg_sleep(30);\n' },
    });
    const child = execa('node', [BIN, 'template', 'build'], { cwd: temp.dir, reject: false });
    await until(
      "SELECT 1 FROM pg_stat_activity WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p)) AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
      [[temp.prefix, workPrefix(temp.prefix)]],
    );
    await query(
      'postgres',
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p)) AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
      [[temp.prefix, workPrefix(temp.prefix)]],
    );
    const result = await child;
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    expectUserError(stderr);
    expect(stderr).toContain('The connection to the server was lost while running b.sql');
    expect(stderr).not.toContain('^'); // no caret under a line of the file
    expect(stderr).not.toMatch(/b\.sql:\d+:\d+/);
    // The scratch database went with the failed build.
    expect(
      await query(
        'postgres',
        'SELECT 1 FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p))',
        [[temp.prefix, workPrefix(temp.prefix)]],
      ),
    ).toEqual([]);
  });

  it('clones of one name racing each other: one succeeds, the others say "already exists"', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const project = temp.project;
    await cloneDatabase(project, { name: `${temp.prefix}_warm` });
    const name = `${temp.prefix}_same`;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => cloneDatabase(project, { name })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(DbfastError);
        expect((r.reason as DbfastError).code).toBe('clone.exists');
        expect((r.reason as DbfastError).message).toContain('already exists');
      }
    }
  });

  it('a full disk or an unwritable folder maps to a file-system error naming the path', async () => {
    // A real ENOSPC: /dev/full refuses every write (Linux).
    if (process.platform !== 'linux') {
      if (process.env.CI) throw new Error('the /dev/full test needs Linux');
      console.log('skipped: /dev/full exists on Linux only');
      return;
    }
    const enospc = await writeFile('/dev/full', 'x').then(
      () => undefined,
      (e: unknown) => e,
    );
    const mapped = describeFailure(enospc);
    expect(mapped).toMatchObject({ code: 'fs.enospc' });
    // A failed write carries no path: where dbfast writes, it names the file itself.
    expect(fileSystemError(enospc, '/backups/manifest.json')?.message).toContain(
      '/backups/manifest.json',
    );
    expect(mapped?.message).toContain('no space left');
    expect(mapped?.hint).toContain('backup prune');
  });

  it.skipIf(skipBackups)(
    'a backups folder that is not writable: a clear error, no stack',
    async () => {
      const source = await createSampleDatabase(1);
      const backups = await backupProject(source, '\n[backups]\ndir = "./locked/backups"\n');
      try {
        const folder = join(backups.dir, 'locked');
        await mkdir(folder, { mode: 0o555 });
        // Root ignores file modes: run the CLI as an unprivileged user then.
        const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
        const result = await execa('node', [BIN, 'backup', 'create', '--remote', 'prod'], {
          cwd: backups.dir,
          reject: false,
          env: { NO_COLOR: '1' },
          ...asNobody,
        });
        const stderr = String(result.stderr);
        expect(result.exitCode).toBe(1);
        expectUserError(stderr);
        expect(stderr).toContain('permission denied');
        expect(stderr).toContain(folder);
      } finally {
        await backups.cleanup();
        await dropOnBackupServer(source);
      }
    },
  );
});
