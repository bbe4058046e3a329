import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { writeMetadata } from '../catalog/label.js';
import { DbfastError, pgFields } from '../errors.js';
import { withTransaction } from '../server/connection.js';
import {
  databaseExists,
  dropDatabase,
  isObjectInUse,
  renameDatabase,
  terminateConnections,
} from '../server/databases.js';
import { databaseIdent, truncateToBytes } from '../server/identifiers.js';
import { restoreLabel } from './repair.js';

/**
 * The database-level steps of a restore: a scratch database beside the target, and the
 * swap that puts it in the target's place with `ALTER DATABASE … RENAME` (instant, and in
 * one transaction, so the target is never missing), keeping the old one under a new name.
 */

/** `<base><suffix>` cut to 63 bytes at the base, so the suffix always survives. */
export function nameWithSuffix(base: string, suffix: string): string {
  return `${truncateToBytes(base, 63 - Buffer.byteLength(suffix))}${suffix}`;
}

/** `<base><suffix>`, or `<base><suffix>_2`, … : the first name no database has. */
export async function freeName(client: pg.Client, base: string, suffix: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const name = nameWithSuffix(base, n === 1 ? suffix : `${suffix}_${n}`);
    if (!(await databaseExists(client, name))) return name;
  }
}

/** Drop a (scratch) database whoever is connected. Best effort: used on the failure path. */
export async function dropQuietly(client: pg.Client, name: string): Promise<void> {
  await dropDatabase(client, name).catch(() => undefined);
}

/**
 * Give a finished scratch database the target's name (the target does not exist), and drop
 * the restore label it carried while in progress.
 */
export async function publishRestored(
  client: pg.Client,
  scratch: string,
  target: string,
): Promise<void> {
  await withTransaction(client, async () => {
    await renameDatabase(client, scratch, target);
    await client.query(`COMMENT ON DATABASE ${databaseIdent(target)} IS NULL`);
  });
}

/**
 * Put `scratch` in `target`'s place, keeping the old target as `old`. The target's
 * ALLOW_CONNECTIONS is first recorded in the scratch database's label (durably: a restore
 * killed from here on is repaired by the next restore or gc, see repair.ts), then new
 * connections to the target are refused, its sessions terminated, and both renames run in
 * one transaction; the old database gets its connection setting back. On failure the
 * target is left as it was. The caller holds the target's swap lock.
 */
export async function swapDatabases(
  client: pg.Client,
  target: string,
  scratch: string,
  old: string,
  templateName: string,
): Promise<void> {
  const { rows } = await client.query<{ datallowconn: boolean }>(
    'SELECT datallowconn FROM pg_database WHERE datname = $1',
    [target],
  );
  const allowed = rows[0]?.datallowconn ?? true;
  await writeMetadata(client, scratch, restoreLabel(templateName, target, allowed));
  const t = databaseIdent(target);
  await client.query(`ALTER DATABASE ${t} WITH ALLOW_CONNECTIONS false`);
  try {
    for (let attempt = 1; ; attempt += 1) {
      await terminateConnections(client, target);
      try {
        await withTransaction(client, async () => {
          await renameDatabase(client, target, old);
          await renameDatabase(client, scratch, target);
          await client.query(`COMMENT ON DATABASE ${t} IS NULL`);
          await client.query(
            `ALTER DATABASE ${databaseIdent(old)} WITH ALLOW_CONNECTIONS ${allowed ? 'true' : 'false'}`,
          );
        });
        return;
      } catch (error) {
        // 55006: a terminated session has not exited yet; give it a moment.
        if (!isObjectInUse(error) || attempt >= 20) throw swapError(target, error);
        await sleep(100);
      }
    }
  } catch (error) {
    await client
      .query(`ALTER DATABASE ${t} WITH ALLOW_CONNECTIONS ${allowed ? 'true' : 'false'}`)
      .catch(() => undefined);
    throw error;
  }
}

function swapError(target: string, error: unknown): DbfastError {
  const pg = pgFields(error);
  return new DbfastError(
    'restore.swap_failed',
    `Could not swap the restored database into "${target}": ${(error as Error).message}`,
    {
      hint: 'The target was left as it was.',
      cause: error,
      ...(pg === undefined ? {} : { pg }),
    },
  );
}
