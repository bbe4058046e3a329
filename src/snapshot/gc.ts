import type pg from 'pg';
import type { Project } from '../project.js';
import { isReadyCopyOf, snapshotDatabases } from './catalog.js';

/** A snapshot database gc may drop, and why. */
export interface SnapshotGarbage {
  name: string;
  reason: string;
}

/**
 * gc's policy for snapshots: the newest previous state of each database is kept (one undo
 * is always there); older ones go once they are older than `olderThanMs` (any age when it
 * is not set). Ready copies of a snapshot that no longer exists (or was saved over) go too. Saved snapshots
 * themselves are never gc'd: only `snapshot drop` removes them.
 */
export async function snapshotGarbage(
  client: pg.Client,
  project: Project,
  options: { now: number; olderThanMs?: number | undefined },
): Promise<SnapshotGarbage[]> {
  const all = await snapshotDatabases(client, project);
  const saved = all.filter((s) => s.metadata.role === 'snapshot');
  const items: SnapshotGarbage[] = [];
  const previousByDb = new Map<string, typeof all>();
  for (const entry of all) {
    const m = entry.metadata;
    if (m.role === 'ready' && !saved.some((snapshot) => isReadyCopyOf(entry, snapshot))) {
      items.push({
        name: entry.name,
        reason: `ready copy of a dropped or re-saved snapshot "${m.snapshot}"`,
      });
    }
    if (m.role === 'previous') previousByDb.set(m.db, [...(previousByDb.get(m.db) ?? []), entry]);
  }
  for (const [db, states] of previousByDb) {
    states.sort((a, b) => b.metadata.createdAt.localeCompare(a.metadata.createdAt));
    for (const state of states.slice(1)) {
      const age = options.now - Date.parse(state.metadata.createdAt);
      if (options.olderThanMs !== undefined && age < options.olderThanMs) continue;
      items.push({
        name: state.name,
        reason: `older previous state of ${db} (replaced by snapshot "${state.metadata.snapshot}")`,
      });
    }
  }
  return items;
}
