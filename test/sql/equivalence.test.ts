import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConnectionParams } from '../../src/config/types.js';
import { parseConnectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { databaseIdent } from '../../src/server/identifiers.js';
import { serverInfo } from '../../src/server/info.js';
import { listPgTools } from '../../src/server/pg-tools.js';
import { executeFiles } from '../../src/sql/executor.js';
import { psqlEnv } from '../../src/sql/psql-runner.js';
import { listRepository } from '../../src/sql/scan.js';
import { requires } from '../helpers/requires.js';
import { dropRoleIfUnused, uniqueName } from '../helpers/server.js';

/**
 * The equivalence check: every corpus of DBFAST_CORPUS that psql loads is built once by
 * dbfast and once by `psql -X -q -v ON_ERROR_STOP=1 -f FILE` per file (in dbfast's order,
 * with the same session settings), and the two databases must have the same
 * `pg_dump --schema-only` output and the same checksum of every table's rows.
 *
 * Needs the corpus folder (DBFAST_CORPUS), psql, and a server the installed pg_dump can
 * dump: it runs on the backup test server (test/helpers/backup-server.ts: the local
 * PostgreSQL 15 in CI, not the embedded 18). Outside CI a missing piece skips the file with
 * the reason printed; in CI it fails.
 */
const CORPUS = process.env.DBFAST_CORPUS ?? '';
const psql = (await listPgTools('psql'))[0];
const backupUrl = inject('backupDatabaseUrl');
const server = (): ConnectionParams => parseConnectionUrl(backupUrl, 'backup test server');
const serverMajor = backupUrl === '' ? 0 : (await withClient(server(), serverInfo)).major;
const pgDump = (await listPgTools('pg_dump')).find((tool) => tool.major >= serverMajor);
const missing =
  CORPUS === ''
    ? 'DBFAST_CORPUS is not set (the folder of SQL corpora)'
    : psql === undefined
      ? 'psql is not installed'
      : backupUrl === '' || pgDump === undefined
        ? inject('backupMissing') || 'no pg_dump can dump the backup test server'
        : undefined;
requires(
  'the equivalence check',
  missing,
  'set DBFAST_CORPUS and DBFAST_TEST_BACKUP_URL, install psql',
);

/** The helpers of this file, on the backup test server. */
function testServer(): ConnectionParams {
  return server();
}
async function query<T extends Record<string, unknown>>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(server(), async (c) => (await c.query<T>(sql, params)).rows, { database });
}
async function createDatabase(): Promise<string> {
  const name = uniqueName('eq');
  await withClient(server(), (c) => c.query(`CREATE DATABASE ${databaseIdent(name)}`));
  return name;
}
async function dropDatabases(...names: string[]): Promise<void> {
  await withClient(server(), async (c) => {
    for (const name of names)
      await c.query(`DROP DATABASE IF EXISTS ${databaseIdent(name)} WITH (FORCE)`);
  });
}
async function roleNames(): Promise<Set<string>> {
  const rows = await query<{ rolname: string }>(server().database, 'SELECT rolname FROM pg_roles');
  return new Set(rows.map((r) => r.rolname));
}

/** The corpora that load with psql (chinook makes its own database; postgrest needs PostGIS). */
interface Corpus {
  name: string;
  /** Files to stage under new names (when name order is not run order), or the corpus as it is. */
  staged?: [string, string][];
  settings?: Record<string, string>;
  /** Tables filled with random values (compared by row count only), and why. */
  random?: Record<string, string>;
}
const CORPORA: Corpus[] = [
  {
    name: 'pagila',
    staged: [
      ['pagila-schema.sql', '1_pagila-schema.sql'],
      ['pagila-data.sql', '2_pagila-data.sql'],
    ],
  },
  { name: 'northwind' },
  { name: 'lago-api' },
  {
    name: 'lemmy',
    random: {
      'public.secret': 'jwt_secret DEFAULT gen_random_uuid() (2021-09-20-112945_jwt-secret)',
    },
  },
  { name: 'supabase-storage', settings: { search_path: 'storage,public' } },
];

describe.skipIf(missing !== undefined)('dbfast builds what psql builds', () => {
  let staging: string;
  beforeAll(async () => {
    staging = await mkdtemp(join(tmpdir(), 'dbfast-equivalence-'));
  });
  afterAll(async () => {
    await rm(staging, { recursive: true, force: true });
  });

  it.each(CORPORA)('$name', { timeout: 300_000 }, async (corpus) => {
    const root = await repositoryOf(corpus, staging);
    const files = await listRepository(root);
    const settings = corpus.settings ?? {};
    const random = Object.keys(corpus.random ?? {});
    const byDbfast = await built(random, async (database) => {
      await executeFiles(testServer(), database, files, { root, settings });
    });
    const byPsql = await built(random, async (database) => {
      const { execa } = await import('execa');
      for (const file of files) {
        await execa(
          psql?.path as string,
          ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file.absolutePath],
          {
            cwd: root,
            env: { ...psqlEnv(testServer(), database, settings), PGCLIENTENCODING: 'UTF8' },
            stdout: 'ignore',
          },
        );
      }
    });
    expect(byDbfast.schema).toBe(byPsql.schema);
    expect(byDbfast.rows).toEqual(byPsql.rows);
    expect(Object.keys(byDbfast.rows).length).toBeGreaterThan(5);
  });
});

async function repositoryOf(corpus: Corpus, staging: string): Promise<string> {
  if (corpus.staged === undefined) return join(CORPUS, corpus.name);
  const dir = join(staging, corpus.name);
  await mkdir(dir, { recursive: true });
  for (const [from, to] of corpus.staged)
    await copyFile(join(CORPUS, corpus.name, from), join(dir, to));
  return dir;
}

/**
 * Build a fresh database with `load`, then read its schema dump and row checksums. The
 * database and the roles the load created (cluster-wide) are dropped afterwards, so the next
 * build starts from the same cluster.
 */
async function built(
  random: string[],
  load: (database: string) => Promise<void>,
): Promise<{ schema: string; rows: Record<string, string> }> {
  const roles = await roleNames();
  const database = await createDatabase();
  try {
    await load(database);
    return { schema: await schemaDump(database), rows: await rowChecksums(database, random) };
  } finally {
    await dropDatabases(database);
    for (const role of await roleNames()) {
      // Roles named t_… belong to other test files running on the same server meanwhile.
      if (!roles.has(role) && !role.startsWith('t_')) await dropRoleIfUnused(role);
    }
  }
}

/** `pg_dump --schema-only`, without what differs between any two dumps (restrict keys, the name). */
async function schemaDump(database: string): Promise<string> {
  const { execa } = await import('execa');
  const { stdout } = await execa(pgDump?.path as string, ['--schema-only', '--no-owner'], {
    env: psqlEnv(testServer(), database, {}),
  });
  return stdout
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .join('\n')
    .replaceAll(database, 'DATABASE');
}

/** md5 of every table's rows, in a fixed order, by schema-qualified name (`random` ones: the count). */
async function rowChecksums(database: string, random: string[]): Promise<Record<string, string>> {
  const tables = await query<{ name: string }>(
    database,
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await query<{ sum: string }>(
      database,
      random.includes(name)
        ? `SELECT count(*)::text AS sum FROM ${name}`
        : `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${name} t`,
    );
    out[name] = row?.sum ?? '';
  }
  return out;
}
