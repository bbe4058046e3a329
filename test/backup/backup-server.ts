import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import type { ConnectionParams } from '../../src/config/types.js';
import { connectionUrl, parseConnectionUrl } from '../../src/config/url.js';
import { openProject, type Project } from '../../src/project.js';
import { withClient } from '../../src/server/connection.js';
import { databaseIdent } from '../../src/server/identifiers.js';
import { requires } from '../helpers/requires.js';
import { uniqueName } from '../helpers/server.js';

/**
 * The server backup tests run against: one the installed pg_dump can dump, chosen once per
 * run by test/helpers/backup-server.ts (DBFAST_TEST_BACKUP_URL, else the test server when
 * pg_dump is new enough). `skipBackups` is true (outside CI) when there is none.
 */
export const skipBackups = requires(
  'the backup and restore tests',
  inject('backupMissing') || undefined,
  'set DBFAST_TEST_BACKUP_URL to a PostgreSQL server the installed pg_dump can dump',
);

/** The backup server's maintenance URL (only valid when !skipBackups). */
export const BACKUP_URL = inject('backupDatabaseUrl');

export function backupServer(): ConnectionParams {
  return parseConnectionUrl(BACKUP_URL, 'backup test server');
}

/** The URL of `database` on the backup server (for remotes in dbfast.toml). */
export function backupDatabaseUrl(database: string): string {
  return connectionUrl({ ...backupServer(), database });
}

/** A small database with a schema worth comparing: two tables, a view, an index, rows. */
export async function createSampleDatabase(rows = 200): Promise<string> {
  const name = uniqueName('bk');
  await withClient(backupServer(), (c) => c.query(`CREATE DATABASE ${databaseIdent(name)}`));
  await withClient(
    backupServer(),
    async (c) => {
      await c.query(`
        CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, email text UNIQUE);
        CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customer(id),
                             total numeric(10,2), placed timestamptz DEFAULT now());
        CREATE INDEX orders_customer ON orders (customer_id);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 50;
        INSERT INTO customer SELECT g, 'name ' || g, 'c' || g || '@example.com'
          FROM generate_series(1, ${rows}) g;
        INSERT INTO orders (customer_id, total) SELECT 1 + g % ${rows}, g % 100
          FROM generate_series(1, ${rows * 3}) g;`);
    },
    { database: name },
  );
  return name;
}

/** Drop databases on the backup server, whoever is connected. */
export async function dropOnBackupServer(...names: string[]): Promise<void> {
  await withClient(backupServer(), async (c) => {
    for (const name of names) {
      await c.query('UPDATE pg_database SET datistemplate = false WHERE datname = $1', [name]);
      await c.query(`DROP DATABASE IF EXISTS ${databaseIdent(name)} WITH (FORCE)`);
    }
  });
}

/** Names of the backup server's databases starting with `prefix` (scratch and `_old_` copies included). */
export async function backupDatabasesLike(prefix: string): Promise<string[]> {
  return withClient(backupServer(), async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
      [prefix],
    );
    return rows.map((r) => r.datname);
  });
}

/** Schema (columns, constraints, indexes, views) and row counts: equal means same data shape. */
export async function snapshot(database: string): Promise<Record<string, unknown>> {
  return withClient(
    backupServer(),
    async (c) => {
      const q = async (sql: string) => (await c.query(sql)).rows;
      return {
        columns: await q(`SELECT table_name, column_name, data_type, is_nullable, column_default
                            FROM information_schema.columns WHERE table_schema = 'public'
                           ORDER BY 1, 2`),
        constraints: await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                               WHERE connamespace = 'public'::regnamespace ORDER BY 1`),
        indexes: await q(`SELECT indexname, indexdef FROM pg_indexes
                           WHERE schemaname = 'public' ORDER BY 1`),
        views: await q(`SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY 1`),
        counts: await q(`SELECT (SELECT count(*) FROM customer)::int AS customers,
                                (SELECT count(*) FROM orders)::int AS orders,
                                (SELECT sum(total) FROM orders)::text AS total`),
      };
    },
    { database },
  );
}

export interface BackupProject {
  dir: string;
  project: Project;
  configPath: string;
  cleanup(): Promise<void>;
}

/**
 * A project folder whose own server AND remote `prod` are the backup server; `prod` points at
 * `database`. Extra TOML (more remotes, [backups]) is appended.
 */
export async function backupProject(
  database: string,
  extra = '',
  env: Record<string, string> = {},
): Promise<BackupProject> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-backup-'));
  await chmod(dir, 0o755);
  const configPath = join(dir, 'dbfast.toml');
  await writeFile(
    configPath,
    `[database]\nurl = "${BACKUP_URL}"\ntemplate_name = "${database}"\n\n` +
      `[remotes.prod]\nurl = "${backupDatabaseUrl(database)}"\n${extra}`,
  );
  return {
    dir,
    configPath,
    project: openProject({ configPath, env }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Run `text` in `database` on the backup server; its rows. */
export async function backupQuery<T extends Record<string, unknown>>(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(backupServer(), async (c) => (await c.query<T>(text, params)).rows, {
    database,
  });
}

/**
 * For a describe block: a sample database (see createSampleDatabase) and a backupProject whose
 * remote `prod` points at it, made before the block's tests. Afterwards every database named
 * after the sample (restored copies, scratch and `_old_` databases) is dropped and the
 * project folder removed.
 */
export function sampleProject(
  options: { rows?: number; extra?: (source: string) => string; env?: Record<string, string> } = {},
): { readonly source: string; readonly temp: BackupProject } {
  let source: string | undefined;
  let temp: BackupProject | undefined;
  beforeAll(async () => {
    source = await createSampleDatabase(options.rows);
    temp = await backupProject(source, options.extra?.(source) ?? '', options.env ?? {});
  });
  afterAll(async () => {
    if (source !== undefined) await dropOnBackupServer(...(await backupDatabasesLike(source)));
    await temp?.cleanup();
  });
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('sampleProject: used before its beforeAll ran');
    return value;
  };
  return {
    get source() {
      return made(source);
    },
    get temp() {
      return made(temp);
    },
  };
}
