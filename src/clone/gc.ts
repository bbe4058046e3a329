import type pg from 'pg';
import { removeAbandonedPartials } from '../backup/partial.js';
import { abandonedRestores, repairRestore } from '../backup/repair.js';
import type { Project } from '../project.js';
import { advisoryLockFree, withClient } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { snapshotGarbage } from '../snapshot/gc.js';
import { listTemplates } from '../template/manage.js';
import { type DatabaseEntry, listDbfastDatabases } from '../template/metadata.js';

export interface GcOptions {
  dryRun?: boolean;
  /** Stale templates kept per environment, newest first (default 1). */
  keep?: number;
  /** Only stale templates older than this many milliseconds are dropped. */
  olderThanMs?: number;
}

export interface GcItem {
  name: string;
  kind: 'template' | 'clone' | 'pool' | 'build' | 'snapshot' | 'restore' | 'backup';
  reason: string;
}

export interface GcResult {
  dryRun: boolean;
  dropped: GcItem[];
}

/**
 * Remove what dbfast made and no longer needs: stale templates (keeping the newest `keep`
 * per environment; current ones and templates restored from backups are never touched),
 * clones past their ttl, pool members of stale templates and scratch databases of builds
 * that crashed (no process holds their build lock), snapshot leftovers (see
 * snapshotGarbage: older previous states, ready copies of dropped snapshots), and what
 * restores that died left (their scratch database; a target they left refusing
 * connections gets its setting back). Only databases carrying a dbfast label
 * and this project's template_name prefix are considered: never anything else.
 */
export async function collectGarbage(project: Project, options: GcOptions = {}): Promise<GcResult> {
  const keep = options.keep ?? 1;
  const now = Date.now();
  const templates = await listTemplates(project);
  const current = new Set(templates.filter((t) => t.current).map((t) => t.name));
  const items: GcItem[] = [];

  const staleByEnv = new Map<string, typeof templates>();
  for (const template of templates) {
    if (template.current || template.kind === 'backup') continue;
    staleByEnv.set(template.env, [...(staleByEnv.get(template.env) ?? []), template]);
  }
  for (const stale of staleByEnv.values()) {
    stale.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    for (const template of stale.slice(keep)) {
      if (options.olderThanMs !== undefined && template.ageMs < options.olderThanMs) continue;
      items.push({
        name: template.name,
        kind: 'template',
        reason: `stale template of environment "${template.env}"`,
      });
    }
  }

  const params = await project.connection();
  await withClient(params, async (client) => {
    const entries = await listDbfastDatabases(client, {
      prefix: `${project.config.database.templateName}_`,
    });
    const clones = await listDbfastDatabases(client);
    for (const entry of clones) {
      const m = entry.metadata;
      if (
        m?.dbfast !== 'clone' ||
        m.ttlMs === undefined ||
        !m.template.startsWith(`${project.config.database.templateName}_`)
      )
        continue;
      if (now - Date.parse(m.createdAt) > m.ttlMs)
        items.push({
          name: entry.name,
          kind: 'clone',
          reason: `past its ttl (${new Date(Date.parse(m.createdAt) + m.ttlMs).toISOString()})`,
        });
    }
    for (const entry of entries) {
      const m = entry.metadata;
      if (m?.dbfast === 'pool' && !current.has(m.template))
        items.push({
          name: entry.name,
          kind: 'pool',
          reason: `pool member of stale template ${m.template}`,
        });
      if (m?.dbfast === 'build' && (await buildAbandoned(client, entry)))
        items.push({
          name: entry.name,
          kind: 'build',
          reason: `scratch database of a build that did not finish (started ${m.startedAt})`,
        });
    }
    for (const item of await snapshotGarbage(client, project, {
      now,
      olderThanMs: options.olderThanMs,
    })) {
      items.push({ ...item, kind: 'snapshot' });
    }
    const restores = await abandonedRestores(client, project.config.database.templateName);
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

/** A build's scratch database is abandoned when nobody holds its template's build lock. */
async function buildAbandoned(client: pg.Client, entry: DatabaseEntry): Promise<boolean> {
  if (entry.metadata?.dbfast !== 'build') return false;
  return advisoryLockFree(client, `template:${entry.metadata.template}`);
}
