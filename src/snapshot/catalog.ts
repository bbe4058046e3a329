import type pg from 'pg';
import type { SnapshotMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { withClient } from '../server/connection.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { lockKey, takeLock } from '../server/locks.js';

/**
 * Finding a project's snapshot databases by their labels, and the connection every snapshot
 * command works on (never the snapshotted database itself: it gets renamed).
 */

/** A snapshot database as found on the server. */
export interface SnapshotDatabase {
  name: string;
  metadata: SnapshotMetadata;
  sizeBytes: number | undefined;
}

/** Every snapshot database of this project (all roles), optionally of one database only. */
export async function snapshotDatabases(
  client: pg.Client,
  project: Project,
  options: { db?: string | undefined; sizes?: boolean } = {},
): Promise<SnapshotDatabase[]> {
  const entries = await listOwned(client, project.id, { sizes: options.sizes === true });
  return entries.flatMap((entry) => {
    const m = entry.metadata;
    if (m.dbfast !== 'snapshot') return [];
    if (options.db !== undefined && m.db !== options.db) return [];
    return [{ name: entry.name, metadata: m, sizeBytes: entry.sizeBytes }];
  });
}

/** Whether `entry` is a ready copy of exactly this saved `snapshot` (not of an older save). */
export function isReadyCopyOf(entry: SnapshotDatabase, snapshot: SnapshotDatabase): boolean {
  const m = entry.metadata;
  return (
    m.role === 'ready' &&
    m.db === snapshot.metadata.db &&
    m.snapshot === snapshot.metadata.snapshot &&
    m.savedAt === snapshot.metadata.createdAt
  );
}

/** The saved snapshot `name` of `db` (or of the one database that has such a snapshot). */
export async function findSnapshot(
  client: pg.Client,
  project: Project,
  name: string,
  db: string | undefined,
  /** `snapshotDatabases(client, project, { db })`, when the caller has it already. */
  listed?: SnapshotDatabase[],
): Promise<SnapshotDatabase> {
  const found = (listed ?? (await snapshotDatabases(client, project, { db }))).filter(
    (s) => s.metadata.role === 'snapshot' && s.metadata.snapshot === name,
  );
  const only = found[0];
  if (only !== undefined && found.length === 1) return only;
  if (found.length > 1) {
    throw usageError(
      'snapshot.ambiguous',
      `Several databases have a snapshot "${name}": ${found.map((s) => s.metadata.db).join(', ')}.`,
      'Say which one with --db NAME.',
    );
  }
  throw usageError(
    'snapshot.not_found',
    `No snapshot "${name}"${db === undefined ? '' : ` of database "${db}"`}.`,
    '`dbfast snapshot list` shows the snapshots there are.',
  );
}

/** The lock that lets one snapshot save, restore or ready copy at a time touch database `db`. */
export function snapshotLock(db: string): string {
  return `snapshot:${db}`;
}

/**
 * Run `fn` on a maintenance connection to the project's server that is NOT `db` (the
 * configured database, or `postgres` when the configured one is the snapshotted database).
 * With `lock`, the connection first takes that session-level advisory lock (the key space of
 * withAdvisoryLock): one connection instead of two, which is most of what a restore from a
 * ready copy costs. The lock goes with the connection, also when the process dies.
 */
export async function withMaintenance<T>(
  project: Project,
  db: string | undefined,
  fn: (client: pg.Client) => Promise<T>,
  lock?: string,
): Promise<T> {
  const params = await project.connection();
  const database = params.database === db ? 'postgres' : params.database;
  return withClient(
    params,
    async (client) => {
      if (lock !== undefined) {
        await takeLock(client, lockKey(lock));
      }
      return fn(client);
    },
    { database },
  );
}

/**
 * The database a snapshot command is about: `--db`, else the database the project's URL
 * names (a developer's DATABASE_URL usually points at their dev database), unless that is a
 * maintenance database.
 */
export async function snapshotTarget(project: Project, db: string | undefined): Promise<string> {
  if (db !== undefined) return validateDatabaseName(db, '--db name');
  const configured = (await project.connection()).database;
  if (configured === 'postgres' || configured === 'template1') {
    throw usageError(
      'snapshot.no_db',
      'Say which database: --db NAME.',
      `The configured connection names "${configured}", the maintenance database, which dbfast does not snapshot.`,
    );
  }
  return configured;
}
