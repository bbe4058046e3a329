import type pg from 'pg';
import type { Project } from '../project.js';
import { snapshotDatabases } from './catalog.js';

/** A snapshot database gc may drop, and why. */
export interface SnapshotGarbage {
  name: string;
  reason: string;
}

/**
 * gc's policy for snapshots: the newest previous state of each database is kept (one undo
 * is always there); older ones go once they are older than `olderThanMs` (any age when it
 * is not set). Ready copies of a snapshot that no longer exists go too. Saved snapshots
 * themselves are never gc'd: only `snapshot drop` removes them.
 */
export async function snapshotGarbage(
  client: pg.Client,
  project: Project,
  options: { now: number; olderThanMs?: number | undefined },
): Promise<SnapshotGarbage[]> {
  const all = await snapshotDatabases(client, project);
  const saved = new Set(
    all
      .filter((s) => s.metadata.role === 'snapshot')
      .map((s) => `${s.metadata.db}\0${s.metadata.snapshot}`),
  );
  const items: SnapshotGarbage[] = [];
  const previousByDb = new Map<string, typeof all>();
  for (const entry of all) {
    const m = entry.metadata;
    if (m.role === 'ready' && !saved.has(`${m.db}\0${m.snapshot}`)) {
      items.push({ name: entry.name, reason: `ready copy of dropped snapshot "${m.snapshot}"` });
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
