import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/server/identifiers.js';
import { listPgTools } from '../../src/server/pg-tools.js';
import { executeFiles } from '../../src/sql/executor.js';
import { psqlEnv } from '../../src/sql/psql-runner.js';
import { CORPUS_SETTING, corpusDir, requires } from '../helpers/requires.js';
import {
  createDatabase,
  dropDatabases,
  dropRoleIfUnused,
  query,
  testServer,
} from '../helpers/server.js';
import { failure, removeRepo, roleNames, rowCounts, runRepo, tempRepo } from './helpers.js';

/**
 * Every corpus of DBFAST_CORPUS loads through the executor with the row counts psql gives
 * (test/fixtures/sql-corpus/row-counts.json), or stops where and how it should.
 */
const { dir: CORPUS, missing } = corpusDir();
const skip = requires('the executor corpus tests', missing, CORPUS_SETTING);
const expected = JSON.parse(
  await readFile(new URL('../fixtures/sql-corpus/row-counts.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, number>>;
// The psql runner's tests need psql itself: skipped on a laptop without the PostgreSQL
// client, failed in CI.
const psql = (await listPgTools('psql'))[0];
const noPsql = requires(
  'the psql runner tests',
  psql === undefined ? 'psql is not installed' : undefined,
  'install the PostgreSQL client, e.g. apt-get install postgresql-client',
);

const databases: string[] = [];
const roots: string[] = [];
afterAll(async () => {
  await dropDatabases(...databases);
  for (const root of roots) await removeRepo(root);
});

async function freshDb(): Promise<string> {
  const name = await createDatabase();
  databases.push(name);
  return name;
}

/** Drop the roles a corpus created cluster-wide (only those that were not there before). */
async function dropNewRoles(before: Set<string>, database: string): Promise<void> {
  await dropDatabases(database);
  for (const role of await roleNames()) {
    if (!before.has(role)) await dropRoleIfUnused(role);
  }
}

describe.skipIf(skip)('corpora', () => {
  it('pagila (schema sorted before data) loads 21 COPY blocks', async () => {
    const root = await tempRepo({});
    roots.push(root);
    await mkdir(join(root, '1_schema'));
    await mkdir(join(root, '2_data'));
    await copyFile(
      join(CORPUS, 'pagila/pagila-schema.sql'),
      join(root, '1_schema/pagila-schema.sql'),
    );
    await copyFile(join(CORPUS, 'pagila/pagila-data.sql'), join(root, '2_data/pagila-data.sql'));
    const database = await freshDb();
    const summary = await runRepo(root, database);
    expect(summary.rows).toBe(49_636);
    expect(await rowCounts(database)).toEqual(expected.pagila);
  });

  it.each(['northwind', 'lago-api', 'lemmy'])('%s loads', async (name) => {
    const database = await freshDb();
    const summary = await runRepo(join(CORPUS, name), database);
    expect(summary.files.every((f) => f.mode === 'transaction')).toBe(true);
    expect(await rowCounts(database)).toEqual(expected[name]);
  });

  it('supabase-storage loads in numeric order with search_path=storage,public', async () => {
    const before = await roleNames();
    const database = await freshDb();
    try {
      const summary = await runRepo(join(CORPUS, 'supabase-storage'), database, {
        settings: { search_path: 'storage,public' },
      });
      expect(summary.files.length).toBe(63);
      expect(summary.files[1]?.path).toBe('migrations/tenant/0002-storage-schema.sql');
      expect(await rowCounts(database)).toEqual(expected['supabase-storage']);
      const rows = await query<{ n: string }>(
        database,
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'storage'",
      );
      expect(Number(rows[0]?.n)).toBeGreaterThan(5);
    } finally {
      await dropNewRoles(before, database);
    }
  });

  it('chinook stops at \\c with its file:line, before running anything', async () => {
    const database = await freshDb();
    const error = await failure(runRepo(join(CORPUS, 'chinook'), database));
    expect(error.code).toBe('sql.meta_unsupported');
    expect(error.message).toBe(
      'Chinook_PostgreSql.sql:28:1: The psql command \\c cannot run without psql.',
    );
    expect(error.location?.excerpt).toContain('28 | \\c chinook;');
    // Its DROP/CREATE DATABASE chinook never ran.
    expect(await query(database, "SELECT 1 FROM pg_database WHERE datname = 'chinook'")).toEqual(
      [],
    );
  });

  it('postgrest with the pg runner stops at the \\gset of the included orioledb.sql', async () => {
    const root = join(CORPUS, 'postgrest');
    const load = {
      path: 'test/spec/fixtures/load.sql',
      absolutePath: join(root, 'test/spec/fixtures/load.sql'),
      kind: 'sql' as const,
    };
    const error = await failure(executeFiles(testServer(), await freshDb(), [load], { root }));
    expect(error.message).toBe(
      'test/orioledb.sql:1:104: The psql command \\gset cannot run without psql.',
    );
  });

  it.skipIf(noPsql)(
    'postgrest with the psql runner stops at schema.sql:2646 (no PostGIS), through \\ir',
    async () => {
      const before = await roleNames();
      const authenticator = 'Postgrest_Test_Authenticator';
      if (!before.has(authenticator))
        await query(testServer().database, `CREATE ROLE ${quoteIdent(authenticator)} LOGIN`);
      const root = join(CORPUS, 'postgrest');
      const load = {
        path: 'test/spec/fixtures/load.sql',
        absolutePath: join(root, 'test/spec/fixtures/load.sql'),
        kind: 'sql' as const,
      };
      const database = await freshDb();
      try {
        const error = await failure(
          executeFiles(testServer(), database, [load], {
            root,
            runner: 'psql',
            variables: { PGUSER: authenticator },
          }),
        );
        expect(error.message).toMatch(
          /^test\/spec\/fixtures\/schema\.sql:2646:1: ERROR: +extension "postgis" is not available/,
        );
        expect(error.location).toMatchObject({
          file: 'test/spec/fixtures/schema.sql',
          line: 2646,
          column: 1,
        });
        expect(error.location?.excerpt).toContain(
          '2646 | create extension if not exists postgis with schema extensions;',
        );
        // The files before it ran (psql runs this file in autocommit: jwt.sql has BEGIN/COMMIT).
        expect(await query(database, "SELECT 1 FROM pg_namespace WHERE nspname = 'test'")).toEqual([
          { '?column?': 1 },
        ]);
      } finally {
        await dropNewRoles(before, database);
      }
    },
  );
});

describe('psql runner arguments', () => {
  it('passes the connection and settings through the environment, the password only there', () => {
    const params = { host: 'h', port: 5433, user: 'u', password: 's3cret', database: 'postgres' };
    const env = psqlEnv(params, 'db', { search_path: 'a, b', 'app.x': 'c\\d' });
    expect(env).toEqual({
      PGHOST: 'h',
      PGPORT: '5433',
      PGUSER: 'u',
      PGDATABASE: 'db',
      PGAPPNAME: 'dbfast',
      PGPASSWORD: 's3cret',
      PGOPTIONS: '-c search_path=a,\\ b -c app.x=c\\\\d',
    });
  });
});

describe.skipIf(noPsql)('the psql runner', () => {
  it("uses --single-transaction when it can and maps errors to the failing statement's file:line", async () => {
    const root = await tempRepo({
      '1.sql':
        "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nSELECT current_setting('search_path');\n",
      '2.sql': 'INSERT INTO t VALUES (2);\nINSERT INTO t\n  VALUES (1 / 0);\n',
    });
    roots.push(root);
    const database = await freshDb();
    const error = await failure(
      runRepo(root, database, { runner: 'psql', settings: { search_path: 'public, pg_catalog' } }),
    );
    expect(error.message).toBe('2.sql:2:1: ERROR: division by zero');
    // --single-transaction: the failed file left nothing behind.
    expect(await query(database, 'SELECT id FROM t')).toEqual([{ id: 1 }]);
  });
});
