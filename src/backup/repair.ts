import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { RestoreMetadata } from '../catalog/label.js';
import { type DatabaseEntry, listOwned, type OwnedEntry } from '../catalog/list.js';
import { advisoryLockFree } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';

/**
 * A restore's scratch database is labelled from the moment it exists, and the restore holds
 * an advisory lock named after it until it ends. A labelled scratch database whose lock is
 * free belongs to a restore that died (on any machine): the next restore and gc drop it, and
 * give its target back the connection setting recorded before the swap refused connections.
 */

/** The advisory lock a restore holds for its scratch database. */
export function restoreLockKey(scratch: string): string {
  return `restore:${scratch}`;
}

/** The advisory lock that lets one swap at a time touch a target. */
export function swapLockKey(target: string): string {
  return `restore-swap:${target}`;
}

/** A scratch suffix no other restore of the same target (even in the same second) uses. */
export function scratchSuffix(stamp: string): string {
  return `_restore_${stamp.toLowerCase()}_${randomBytes(3).toString('hex')}`;
}

/** The label of a restore's scratch database, owned by `project` (`[project] name`). */
export function restoreLabel(
  project: string,
  target: string,
  targetAllowConnections?: boolean,
): RestoreMetadata {
  return {
    dbfast: 'restore',
    project,
    templateName: project,
    target,
    startedAt: new Date().toISOString(),
    pid: process.pid,
    host: hostname(),
    ...(targetAllowConnections === undefined ? {} : { targetAllowConnections }),
  };
}

/** Scratch databases of this project's restores that died (their lock is free). */
export async function abandonedRestores(client: pg.Client, project: string): Promise<OwnedEntry[]> {
  const abandoned: OwnedEntry[] = [];
  for (const entry of await listOwned(client, project)) {
    if (entry.metadata.dbfast !== 'restore') continue;
    if (await advisoryLockFree(client, restoreLockKey(entry.name))) abandoned.push(entry);
  }
  return abandoned;
}

/**
 * Undo what a dead restore left: its target gets back ALLOW_CONNECTIONS true when the swap
 * had refused connections to it, and the scratch database is dropped. Returns whether the
 * target was made reachable again.
 */
export async function repairRestore(client: pg.Client, entry: DatabaseEntry): Promise<boolean> {
  const label = entry.metadata;
  if (label?.dbfast !== 'restore') return false;
  let reconnected = false;
  if (label.targetAllowConnections === true) {
    const { rows } = await client.query<{ datallowconn: boolean }>(
      'SELECT datallowconn FROM pg_database WHERE datname = $1',
      [label.target],
    );
    if (rows[0]?.datallowconn === false) {
      await client.query(
        `ALTER DATABASE ${databaseIdent(label.target)} WITH ALLOW_CONNECTIONS true`,
      );
      reconnected = true;
    }
  }
  await dropDatabase(client, entry.name);
  return reconnected;
}

/** Repair the project's dead restores on a server (see repairRestore); returns their names. */
export async function repairAbandonedRestores(
  client: pg.Client,
  templateName: string,
): Promise<string[]> {
  const abandoned = await abandonedRestores(client, templateName);
  for (const entry of abandoned) await repairRestore(client, entry);
  return abandoned.map((entry) => entry.name);
}
