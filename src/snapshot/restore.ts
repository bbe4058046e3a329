import { backupStamp } from '../backup/store.js';
import { freeName, swapDatabases } from '../backup/swap.js';
import { type SnapshotMetadata, writeMetadata } from '../catalog/label.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { databaseExists, dropDatabase, renameDatabase } from '../server/databases.js';
import { databaseIdent, quoteLiteral } from '../server/identifiers.js';
import {
  findSnapshot,
  isReadyCopyOf,
  snapshotDatabases,
  snapshotLock,
  snapshotTarget,
  withMaintenance,
} from './catalog.js';
import { copyDatabase, otherSessions } from './copy.js';
import { type PrepareSnapshotResult, prepareSnapshot, settle } from './save.js';

/** Which snapshot `restoreSnapshot` puts back, over which database. */
export interface RestoreSnapshotOptions {
  name: string;
  /** The database to restore; default: the one database that has this snapshot. */
  db?: string | undefined;
  /** Replacing the existing database was confirmed (the CLI's --yes). */
  replace?: boolean | undefined;
  /** Make the next ready copy in the background (default true). */
  prepare?: boolean | undefined;
}

/** What `restoreSnapshot` did, and where the replaced state was kept. */
export interface SnapshotRestoreResult {
  name: string;
  db: string;
  /** The ready copy that was swapped in, or undefined when a copy had to be made now. */
  fromReady: string | undefined;
  /** Where the replaced database was kept (undo: rename it back), if one was replaced. */
  previous: string | undefined;
  /** Sessions on the database that were closed for the swap. */
  terminated: number;
  durationMs: number;
  /** Settles when the next ready copy exists (never rejects). Undefined with prepare: false. */
  prepared: Promise<PrepareSnapshotResult> | undefined;
}

/**
 * Put a database back to a snapshot. The common case is a rename: a ready copy of the
 * snapshot (made in the background after each save and restore) is swapped in for the
 * database; with none ready, a copy is made first (CREATE DATABASE … TEMPLATE). Like
 * `dbfast restore`, replacing an existing database needs `replace` (refusal: exit 2), its
 * sessions are closed for the swap, and the replaced state is kept as `<db>_old_<timestamp>`
 * (labelled, so `snapshot drop --previous` or gc can remove it). On failure the database is
 * left as it was.
 */
export async function restoreSnapshot(
  project: Project,
  options: RestoreSnapshotOptions,
): Promise<SnapshotRestoreResult> {
  const started = Date.now();
  const db =
    options.db === undefined
      ? await withMaintenance(project, undefined, async (client) => {
          const found = await findSnapshot(client, project, options.name, undefined);
          return found.metadata.db;
        })
      : await snapshotTarget(project, options.db);
  const outcome = await withMaintenance(
    project,
    db,
    async (client) => {
      const listed = await snapshotDatabases(client, project, { db });
      const snapshot = await findSnapshot(client, project, options.name, db, listed);
      const exists = await databaseExists(client, db);
      if (exists && options.replace !== true) {
        throw usageError(
          'snapshot.unconfirmed',
          `Refusing to replace database "${db}" with snapshot "${options.name}" without confirmation.`,
          'Add --yes, or run on a terminal to be asked. The current state is kept under a new name.',
        );
      }
      const { rows } = await client.query<{ comment: string | null }>(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
        [db],
      );
      const comment = rows[0]?.comment ?? null;
      const ready = listed.find((s) => isReadyCopyOf(s, snapshot));
      const stamp = backupStamp(new Date());
      let scratch: string;
      if (ready === undefined) {
        scratch = await freeName(client, db, `_snap_${stamp.toLowerCase()}`);
        await copyDatabase(client, project, snapshot.name, scratch, label(snapshot.metadata), {
          asTemplate: false,
        });
      } else {
        scratch = ready.name;
      }
      try {
        // The copy takes the database's own label (or none): from here it is no longer a
        // ready copy that anything else could claim.
        await client.query(
          `COMMENT ON DATABASE ${databaseIdent(scratch)} IS ${comment === null ? 'NULL' : quoteLiteral(comment)}`,
        );
        if (!exists) {
          await renameDatabase(client, scratch, db);
          return { previous: undefined, terminated: 0, fromReady: ready?.name };
        }
        const terminated = await otherSessions(client, db);
        const previous = await freeName(client, db, `_old_${stamp}`);
        await swapDatabases(client, db, scratch, previous, project.id);
        await writeMetadata(client, previous, {
          ...label(snapshot.metadata),
          role: 'previous',
          createdAt: new Date().toISOString(),
        });
        return { previous, terminated, fromReady: ready?.name };
      } catch (error) {
        // A made copy is thrown away; a ready copy gets its label back for the next try.
        if (ready === undefined) await dropDatabase(client, scratch).catch(() => undefined);
        else await writeMetadata(client, scratch, ready.metadata).catch(() => undefined);
        throw error;
      }
    },
    snapshotLock(db),
  );
  return {
    name: options.name,
    db,
    ...outcome,
    durationMs: Date.now() - started,
    prepared:
      options.prepare === false
        ? undefined
        : settle(prepareSnapshot(project, { name: options.name, db })),
  };
}

/** A ready-copy label for `snapshot` (a copy made by the restore itself carries it briefly). */
function label(snapshot: SnapshotMetadata): SnapshotMetadata {
  return {
    ...snapshot,
    role: 'ready',
    savedAt: snapshot.createdAt,
    createdAt: new Date().toISOString(),
  };
}
