import type pg from 'pg';
import { commentSql, parseMetadata, type TemplateMetadata } from './label.js';

/**
 * When a template was last used. Several checkouts of one project (worktrees, CI runners on
 * a shared server) each have their own current template; one that is not current HERE may be
 * current elsewhere. Retention therefore looks at when a template was last built or cloned,
 * recorded in its label at most every TOUCH_INTERVAL_MS, never on every clone.
 */

/** How often a clone refreshes its template's `lastUsedAt` at most. */
export const TOUCH_INTERVAL_MS = 10 * 60_000;

/** Milliseconds since the template was built or last cloned. */
export function idleMs(metadata: TemplateMetadata, now = Date.now()): number {
  const created = Date.parse(metadata.createdAt);
  const used = metadata.lastUsedAt === undefined ? created : Date.parse(metadata.lastUsedAt);
  return now - Math.max(created, Number.isNaN(used) ? created : used);
}

/** Epoch milliseconds of the template's last recorded use (build or clone). */
export function lastUseOf(metadata: TemplateMetadata): number {
  return Date.now() - idleMs(metadata);
}

/** Whether a clone should refresh its template's `lastUsedAt` (true at most every few minutes). */
export function touchDue(usedAt: number | undefined, now = Date.now()): boolean {
  return usedAt !== undefined && now - usedAt > TOUCH_INTERVAL_MS;
}

/**
 * Record that `template` was used now, after a clone returned its database. Best effort: a
 * concurrent touch or rebuild may win ("tuple concurrently updated"), which is as good.
 */
export async function touchTemplate(
  client: pg.Client,
  project: string,
  template: string,
): Promise<void> {
  try {
    const { rows } = await client.query<{ comment: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [template],
    );
    const metadata = parseMetadata(rows[0]?.comment);
    if (metadata?.dbfast !== 'template' || metadata.project !== project) return;
    await client.query(commentSql(template, { ...metadata, lastUsedAt: new Date().toISOString() }));
  } catch {
    // Only bookkeeping: the clone itself succeeded.
  }
}
