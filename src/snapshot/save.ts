import { randomBytes } from 'node:crypto';
import { freeName } from '../backup/swap.js';
import type { SnapshotMetadata } from '../catalog/label.js';
import { DbfastError, ExitCode, errorMessage, usageError } from '../errors.js';
import type { Project } from '../project.js';
import { databaseExists, dropDatabase, renameDatabase } from '../server/databases.js';
import {
  findSnapshot,
  isReadyCopyOf,
  snapshotDatabases,
  snapshotLock,
  snapshotTarget,
  withMaintenance,
} from './catalog.js';
import { copyDatabase, otherSessions } from './copy.js';
import { readyCopyName, snapshotDatabaseName, validateSnapshotName } from './names.js';

/** Which database `saveSnapshot` copies, under which snapshot name. */
export interface SaveSnapshotOptions {
  name: string;
  /** The database to snapshot; default: the database the project's URL names. */
  db?: string | undefined;
  /** Replace an existing snapshot of that name. */
  force?: boolean | undefined;
  /** Close other sessions on the database (a copy needs it to have none). */
  terminate?: boolean | undefined;
  /** Make the ready copy in the background (default true); false when a caller does it itself. */
  prepare?: boolean | undefined;
}

/** A saved snapshot: its own database, size, and the background ready copy. */
export interface SnapshotSaveResult {
  name: string;
  db: string;
  /** The snapshot's own database (a template). */
  database: string;
  sizeBytes: number;
  durationMs: number;
  /** The sessions that were closed to take the copy. */
  terminated: number;
  /**
   * Settles when the background ready copy is made (never rejects: a failure only means the
   * next restore copies instead of renaming). Undefined with `prepare: false`.
   */
  prepared: Promise<PrepareSnapshotResult> | undefined;
}

export interface PrepareSnapshotResult {
  /** The ready copy, or undefined when it could not be made (see `error`). */
  ready: string | undefined;
  /** Whether this call made it (false: one was ready already). */
  created: boolean;
  error: string | undefined;
}

/**
 * Save a snapshot of a database on the project's server: a labelled template copy
 * (`CREATE DATABASE … TEMPLATE db`), made while no other session is connected. Refuses
 * (exit 2) when sessions are connected unless `terminate`, and when the snapshot exists
 * unless `force`. The old snapshot is replaced only once the new one is complete.
 */
export async function saveSnapshot(
  project: Project,
  options: SaveSnapshotOptions,
): Promise<SnapshotSaveResult> {
  const started = Date.now();
  const name = validateSnapshotName(options.name);
  const db = await snapshotTarget(project, options.db);
  const database = snapshotDatabaseName(db, name);
  const saved = await withMaintenance(
    project,
    db,
    async (client) => {
      if (!(await databaseExists(client, db))) {
        throw usageError('snapshot.no_database', `Database "${db}" does not exist.`);
      }
      const existing = await databaseExists(client, database);
      if (existing && options.force !== true) {
        throw usageError(
          'snapshot.exists',
          `Snapshot "${name}" of "${db}" already exists.`,
          'Pass --force to replace it, or choose another name.',
        );
      }
      const sessions = await otherSessions(client, db);
      if (sessions > 0 && options.terminate !== true) {
        throw new DbfastError(
          'snapshot.in_use',
          `Database "${db}" has ${sessions} other session${sessions === 1 ? '' : 's'} connected; a snapshot is a copy, which needs none.`,
          {
            hint: 'Close them, or pass --yes to have dbfast close them.',
            exitCode: ExitCode.usage,
          },
        );
      }
      const metadata: SnapshotMetadata = {
        dbfast: 'snapshot',
        role: 'snapshot',
        snapshot: name,
        db,
        project: project.id,
        createdAt: new Date().toISOString(),
      };
      const into = existing ? await freeName(client, database, '_new') : database;
      const sizeBytes = await copyDatabase(client, project, db, into, metadata, {
        asTemplate: true,
      });
      if (existing) {
        // The old snapshot and its ready copies go only now that the new one is complete.
        for (const old of await snapshotDatabases(client, project, { db })) {
          if (old.metadata.snapshot !== name || old.name === into) continue;
          if (old.metadata.role !== 'previous') await dropDatabase(client, old.name);
        }
        await renameDatabase(client, into, database);
      }
      return { sizeBytes, terminated: sessions };
    },
    snapshotLock(db),
  );
  return {
    name,
    db,
    database,
    ...saved,
    durationMs: Date.now() - started,
    prepared:
      options.prepare === false ? undefined : settle(prepareSnapshot(project, { name, db })),
  };
}

/**
 * Make sure one ready copy of a snapshot exists (made with CREATE DATABASE … TEMPLATE from
 * the snapshot), so the next restore is a rename. Safe to call from many processes at once:
 * one makes the copy, the others find it.
 */
export async function prepareSnapshot(
  project: Project,
  options: { name: string; db?: string | undefined },
): Promise<PrepareSnapshotResult> {
  const name = validateSnapshotName(options.name);
  const db = await snapshotTarget(project, options.db);
  const database = snapshotDatabaseName(db, name);
  return withMaintenance(
    project,
    db,
    async (client) => {
      const listed = await snapshotDatabases(client, project, { db });
      // Throws when the snapshot is gone (dropped while this waited for the lock).
      const snapshot = await findSnapshot(client, project, name, db, listed);
      const ready = listed.find((s) => isReadyCopyOf(s, snapshot));
      if (ready !== undefined) return { ready: ready.name, created: false, error: undefined };
      const copy = readyCopyName(database, randomBytes(4).toString('hex'));
      const metadata: SnapshotMetadata = {
        dbfast: 'snapshot',
        role: 'ready',
        snapshot: name,
        db,
        savedAt: snapshot.metadata.createdAt,
        project: project.id,
        createdAt: new Date().toISOString(),
      };
      await copyDatabase(client, project, database, copy, metadata, { asTemplate: false });
      return { ready: copy, created: true, error: undefined };
    },
    `snapshot-ready:${database}`,
  );
}

/** A background preparation as a promise that never rejects. */
export function settle(job: Promise<PrepareSnapshotResult>): Promise<PrepareSnapshotResult> {
  return job.catch((error: unknown) => ({
    ready: undefined,
    created: false,
    error: errorMessage(error),
  }));
}
