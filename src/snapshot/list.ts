import type { Project } from '../project.js';
import { dropDatabase } from '../server/databases.js';
import { findSnapshot, isReadyCopyOf, snapshotDatabases, withMaintenance } from './catalog.js';
import { validateSnapshotName } from './names.js';

/** One snapshot as `listSnapshots` returns it. */
export interface SnapshotEntry {
  name: string;
  db: string;
  /** The snapshot's own database. */
  database: string;
  createdAt: string;
  sizeBytes: number | undefined;
  /** Ready copies (0 or 1 normally): with one, the next restore is a rename. */
  ready: number;
}

export interface PreviousState {
  /** The database holding the state a restore replaced. */
  database: string;
  db: string;
  /** The snapshot that was restored over it. */
  snapshot: string;
  createdAt: string;
}

/** `listSnapshots`' answer: the snapshots, and the previous states restores kept. */
export interface SnapshotList {
  snapshots: SnapshotEntry[];
  previous: PreviousState[];
}

/** This project's snapshots (of one database, or all) and the previous states kept. */
export async function listSnapshots(
  project: Project,
  options: { db?: string | undefined } = {},
): Promise<SnapshotList> {
  const all = await withMaintenance(project, undefined, (client) =>
    snapshotDatabases(client, project, { db: options.db, sizes: true }),
  );
  const snapshots = all
    .filter((s) => s.metadata.role === 'snapshot')
    .map((s) => ({
      name: s.metadata.snapshot,
      db: s.metadata.db,
      database: s.name,
      createdAt: s.metadata.createdAt,
      sizeBytes: s.sizeBytes,
      ready: all.filter((r) => isReadyCopyOf(r, s)).length,
    }));
  const previous = all
    .filter((s) => s.metadata.role === 'previous')
    .map((s) => ({
      database: s.name,
      db: s.metadata.db,
      snapshot: s.metadata.snapshot,
      createdAt: s.metadata.createdAt,
    }));
  return { snapshots, previous };
}

/** Drop a snapshot and its ready copies (previous states stay). Returns what was dropped. */
export async function dropSnapshot(
  project: Project,
  options: { name: string; db?: string | undefined },
): Promise<string[]> {
  const name = validateSnapshotName(options.name);
  const snapshot = await withMaintenance(project, options.db, (client) =>
    findSnapshot(client, project, name, options.db),
  );
  // Under prepareSnapshot's lock: no ready copy is being made from it while it goes.
  return withMaintenance(
    project,
    snapshot.metadata.db,
    async (client) => {
      const doomed = (await snapshotDatabases(client, project, { db: snapshot.metadata.db }))
        .filter((s) => s.metadata.snapshot === name && s.metadata.role !== 'previous')
        .map((s) => s.name);
      for (const database of doomed) await dropDatabase(client, database);
      return doomed;
    },
    `snapshot-ready:${snapshot.name}`,
  );
}

/** Drop the states snapshot restores replaced (of one database, or all). */
export async function dropPreviousStates(
  project: Project,
  options: { db?: string | undefined } = {},
): Promise<string[]> {
  return withMaintenance(project, options.db, async (client) => {
    const doomed = (await snapshotDatabases(client, project, { db: options.db }))
      .filter((s) => s.metadata.role === 'previous')
      .map((s) => s.name);
    for (const database of doomed) await dropDatabase(client, database);
    return doomed;
  });
}
