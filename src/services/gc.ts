import { removeAbandonedPartials } from '../backup/partial.js';
import { abandonedRestores, repairRestore } from '../backup/repair.js';
import type { Metadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { abandonedWork } from '../catalog/work.js';
import type { Project } from '../project.js';
import { withClient } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { snapshotGarbage } from '../snapshot/gc.js';
import { listTemplates, type RetentionOptions, retentionPlan } from '../template/manage.js';

/** Retention for `collectGarbage` (defaults from `[templates]`); `dryRun` drops nothing. */
export interface GcOptions extends RetentionOptions {
  dryRun?: boolean;
}

/** One database (or folder) gc dropped, or would drop, and why. */
export interface GcItem {
  name: string;
  kind: 'template' | 'clone' | 'pool' | 'build' | 'work' | 'snapshot' | 'restore' | 'backup';
  reason: string;
}

/** What `collectGarbage` dropped (with `dryRun`: would drop). */
export interface GcResult {
  dryRun: boolean;
  dropped: GcItem[];
}

/**
 * Remove what this project made and no longer needs: templates retention lets go (not
 * current here, beyond the newest `keep` per environment AND unused for `unusedForMs`;
 * templates restored from backups are never touched), clones past their ttl, pool members of
 * templates that are not kept, snapshot leftovers (see snapshotGarbage: older previous
 * states, ready copies of dropped snapshots), and work in progress whose owner is gone (its
 * advisory lock is free: see catalog/work.ts; a live build's scratch database is never
 * touched). Only
 * databases whose label names this project are considered, plus unlabelled ones under this
 * project's work name whose work lock is free: never anything else unlabelled, another
 * project's, or anything found by a name the user could have chosen.
 * Restores that died are repaired too (their scratch database goes; a target they left
 * refusing connections gets its setting back).
 */
export async function collectGarbage(project: Project, options: GcOptions = {}): Promise<GcResult> {
  const now = Date.now();
  const templates = await listTemplates(project, { sizes: false });
  const current = new Set(templates.filter((t) => t.current).map((t) => t.name));
  const doomed = retentionPlan(project, templates, options);
  const items: GcItem[] = doomed.map((t) => ({ name: t.name, kind: 'template', reason: t.reason }));
  const kept = new Set(
    templates.map((t) => t.name).filter((n) => !doomed.some((d) => d.name === n)),
  );

  const params = await project.connection();
  await withClient(params, async (client) => {
    for (const entry of await listOwned(client, project.id)) {
      const item = collectable(entry.name, entry.metadata, { now, current, kept });
      if (item !== undefined) items.push(item);
    }
    for (const item of await snapshotGarbage(client, project, {
      now,
      olderThanMs: options.unusedForMs,
    })) {
      items.push({ ...item, kind: 'snapshot' });
    }
    const restores = await abandonedRestores(client, project.id);
    if (options.dryRun !== true) {
      for (const item of items) await dropDatabase(client, item.name);
    }
    for (const entry of restores) {
      const target = entry.metadata?.dbfast === 'restore' ? entry.metadata.target : '?';
      const reconnected = options.dryRun !== true && (await repairRestore(client, entry));
      items.push({
        name: entry.name,
        kind: 'restore',
        reason: `scratch database of a restore into "${target}" that did not finish${reconnected ? `; "${target}" accepts connections again` : ''}`,
      });
    }
    // Work in progress is judged (and dropped) under its own lock, never by a guess.
    items.push(...(await abandonedWork(client, project.id, { dryRun: options.dryRun === true })));
  });
  for (const folder of await removeAbandonedPartials(project.config.backups.dir, {
    dryRun: options.dryRun === true,
  })) {
    items.push({
      name: folder,
      kind: 'backup',
      reason: 'unfinished backup folder of a process that is gone',
    });
  }
  return { dryRun: options.dryRun === true, dropped: items };
}

/** Why gc collects this finished database of the project, or undefined to keep it. */
function collectable(
  name: string,
  m: Metadata,
  state: { now: number; current: Set<string>; kept: Set<string> },
): GcItem | undefined {
  if (
    m.dbfast === 'clone' &&
    m.ttlMs !== undefined &&
    state.now - Date.parse(m.createdAt) > m.ttlMs
  )
    return {
      name,
      kind: 'clone',
      reason: `past its ttl (${new Date(Date.parse(m.createdAt) + m.ttlMs).toISOString()})`,
    };
  // A template that is not current here but kept may be current in another checkout: its
  // pool stays until the template itself goes.
  if (m.dbfast === 'pool' && !state.current.has(m.template) && !state.kept.has(m.template))
    return { name, kind: 'pool', reason: `pool member of template ${m.template}, not kept` };
  return undefined;
}
