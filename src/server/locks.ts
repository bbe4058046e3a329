import type pg from 'pg';

/**
 * dbfast's advisory locks, in one place. A lock is named by text under `dbfast:` (so it never
 * meets another application's locks), and the server turns that text into the 64-bit lock id
 * with `hashtextextended(text, 0)`: the same text gives the same lock in every process, on
 * every machine that shares the server. Labels record the full key text (catalog/work.ts), so
 * neither the prefix nor the hash may change without a migration.
 */

/** The full key text of dbfast's lock `name`. */
export function lockKey(name: string): string {
  return `dbfast:${name}`;
}

/** SQL for the lock id of the key text `expr` (a parameter such as `$1`, or a quoted literal). */
export function lockIdSql(expr: string): string {
  return `hashtextextended(${expr}, 0)`;
}

/** Wait for the session-level lock `key` (full key text) on this session. */
export async function takeLock(client: pg.Client, key: string): Promise<void> {
  await client.query(`SELECT pg_advisory_lock(${lockIdSql('$1')})`, [key]);
}

/** Take the session-level lock `key` if it is free; whether it was taken. */
export async function tryLock(client: pg.Client, key: string): Promise<boolean> {
  const { rows } = await client.query<{ got: boolean }>(
    `SELECT pg_try_advisory_lock(${lockIdSql('$1')}) AS got`,
    [key],
  );
  return rows[0]?.got === true;
}

/** Release the session-level lock `key` held by this session. */
export async function releaseLock(client: pg.Client, key: string): Promise<void> {
  await client.query(`SELECT pg_advisory_unlock(${lockIdSql('$1')})`, [key]);
}
