import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ConnectionParams } from '../../src/config/types.js';
import { connectionUrl, parseConnectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { databaseIdent, quoteIdent } from '../../src/server/identifiers.js';

/** The test server's maintenance connection (see global-setup.ts). */
export function testServer(): ConnectionParams {
  return parseConnectionUrl(inject('testDatabaseUrl'), 'test server');
}

/** The test server's URL (no password). */
export function testServerUrl(): string {
  return connectionUrl(testServer());
}

/** A name no other test (or test process) uses: `t_<prefix>_<random>`. */
export function uniqueName(prefix = 'db'): string {
  return `t_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** A unique name under `prefix` (a TempProject's), so that its cleanup drops it too. */
export function nameUnder(prefix: string, tag: string): string {
  return `${prefix}_${tag}_${randomBytes(4).toString('hex')}`;
}

/** Create an empty database for a test; drop it with `dropDatabases`. */
export async function createDatabase(name = uniqueName()): Promise<string> {
  await withClient(testServer(), (client) =>
    client.query(`CREATE DATABASE ${databaseIdent(name)}`),
  );
  return name;
}

/** Drop databases (templates included), whoever is connected. */
export async function dropDatabases(...names: string[]): Promise<void> {
  await withClient(testServer(), async (client) => {
    for (const name of names) {
      await client
        .query('UPDATE pg_database SET datistemplate = false WHERE datname = $1', [name])
        .catch(() => undefined);
      await client.query(`DROP DATABASE IF EXISTS ${databaseIdent(name)} WITH (FORCE)`);
    }
  });
}

/** Drop every database whose name starts with `prefix` (a test's templates and clones). */
export async function dropDatabasesLike(prefix: string): Promise<void> {
  const names = await withClient(testServer(), async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    return rows.map((row) => row.datname);
  });
  await dropDatabases(...names);
}

/** Run a query against a database on the test server and return its rows. */
export async function query<T extends Record<string, unknown>>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(testServer(), async (client) => (await client.query<T>(sql, params)).rows, {
    database,
  });
}

/**
 * The password server of this run, started once by global-setup.ts: connection params WITH
 * the right password, and the password itself.
 */
export function passwordServer(): { params: ConnectionParams; password: string } {
  const password = inject('passwordServerPassword');
  return {
    params: { ...parseConnectionUrl(inject('passwordServerUrl'), 'password server'), password },
    password,
  };
}

/**
 * Drop a role a corpus created, unless another test file's databases still depend on it
 * (2BP01: corpus test files load the same corpora, and their roles, on one server at once);
 * the last file to finish drops it, or it stays on the test server, harmlessly.
 */
export async function dropRoleIfUnused(role: string): Promise<void> {
  await query(testServer().database, `DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(
    (error: unknown) => {
      if ((error as { code?: unknown }).code !== '2BP01') throw error;
    },
  );
}
