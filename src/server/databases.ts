import type pg from 'pg';
import { DbfastError, pgFields } from '../errors.js';
import { databaseIdent } from './identifiers.js';
import { serverMajor } from './info.js';

/**
 * The statements that create, rename and drop whole databases: one place, every name
 * validated and quoted by identifiers.ts.
 */

/** Close every other session connected to `database` (stray psql, a crashed worker). */
export async function terminateConnections(client: pg.Client, database: string): Promise<number> {
  const { rowCount } = await client.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  return rowCount ?? 0;
}

/**
 * Drop a database whoever is connected, template or not. Returns whether it existed.
 * Uses WITH (FORCE) from PostgreSQL 13; before that, terminates the sessions first.
 */
export async function dropDatabase(client: pg.Client, database: string): Promise<boolean> {
  const ident = databaseIdent(database);
  const { rows } = await client.query<{ datistemplate: boolean }>(
    'SELECT datistemplate FROM pg_database WHERE datname = $1',
    [database],
  );
  if (rows[0] === undefined) return false;
  // A template cannot be dropped; ALLOW_CONNECTIONS does not matter to DROP.
  if (rows[0].datistemplate) await client.query(`ALTER DATABASE ${ident} WITH IS_TEMPLATE false`);
  const major = await serverMajor(client);
  if (major >= 13) {
    await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
  } else {
    await terminateConnections(client, database);
    await client.query(`DROP DATABASE IF EXISTS ${ident}`);
  }
  return true;
}

/** Rename a database; fails if anyone is connected to it or `to` exists. */
export async function renameDatabase(client: pg.Client, from: string, to: string): Promise<void> {
  await client.query(`ALTER DATABASE ${databaseIdent(from)} RENAME TO ${databaseIdent(to)}`);
}

/** Whether a database exists. */
export async function databaseExists(client: pg.Client, database: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    database,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * SQLSTATE 42P04 (duplicate_database), or 23505 on pg_database's name index: what two
 * processes creating (or renaming to) the same name at the same moment get.
 */
export function isDuplicateDatabase(error: unknown): boolean {
  const code = pgFields(error)?.code;
  return code === '42P04' || code === '23505';
}

/** SQLSTATE 55006: object_in_use ("source database … is being accessed by other users"). */
export function isObjectInUse(error: unknown): boolean {
  return pgFields(error)?.code === '55006';
}

/** SQLSTATE 3D000: invalid_catalog_name (the database does not exist). */
export function isMissingDatabase(error: unknown): boolean {
  return pgFields(error)?.code === '3D000';
}

/** Wrap a PostgreSQL error from a database-level statement in a DbfastError. */
export function databaseError(
  code: string,
  message: string,
  error: unknown,
  hint?: string,
): DbfastError {
  const pg = pgFields(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new DbfastError(code, `${message}: ${reason}`, {
    cause: error,
    ...(hint === undefined ? {} : { hint }),
    ...(pg === undefined ? {} : { pg }),
  });
}
