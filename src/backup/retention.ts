import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatDuration } from '../duration.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { removeAbandonedPartials } from './partial.js';
import { type BackupEntry, listBackupEntries, type SourceFilter } from './store.js';

/**
 * Retention (`dbfast backup prune`). Per source, a backup goes when it is not among the
 * newest `keepLast`, or when it is older than `maxAge`; but the newest VERIFIED backup of a
 * source always stays, whatever the policy says. Folders without a manifest are never
 * touched. Deleting needs an explicit `confirmed: true`.
 */

export interface RetentionPolicy {
  keepLast?: number | undefined;
  maxAgeMs?: number | undefined;
}

export interface PruneDecision {
  id: string;
  source: string;
  dir: string;
  startedAt: string;
  bytes: number;
  keep: boolean;
  /** Why it is kept or deleted, for people. */
  reason: string;
}

/** Decide, without touching anything, what the policy keeps and deletes. Pure. */
export function planPrune(
  entries: BackupEntry[],
  policy: RetentionPolicy,
  now: Date = new Date(),
): PruneDecision[] {
  const bySource = new Map<string, BackupEntry[]>();
  for (const entry of entries) {
    if (entry.manifest === undefined) continue;
    bySource.set(entry.source, [...(bySource.get(entry.source) ?? []), entry]);
  }
  const decisions: PruneDecision[] = [];
  for (const list of bySource.values()) {
    const sorted = [...list].sort((a, b) => started(b).localeCompare(started(a)));
    const newestVerified = sorted.find((e) => e.verification?.ok === true);
    sorted.forEach((entry, index) => {
      const ageMs = now.getTime() - Date.parse(started(entry));
      let reason = 'within the policy';
      let keep = true;
      if (policy.keepLast !== undefined && index >= policy.keepLast) {
        keep = false;
        reason = `not among the newest ${policy.keepLast}`;
      } else if (policy.maxAgeMs !== undefined && ageMs > policy.maxAgeMs) {
        keep = false;
        reason = `older than ${formatDuration(policy.maxAgeMs)}`;
      }
      if (!keep && entry === newestVerified) {
        keep = true;
        reason = `newest verified backup of ${entry.source} (always kept)`;
      }
      decisions.push({
        id: entry.id,
        source: entry.source,
        dir: entry.dir,
        startedAt: started(entry),
        bytes: entry.manifest?.bytes ?? 0,
        keep,
        reason,
      });
    });
  }
  return decisions;
}

export interface PruneOptions extends RetentionPolicy {
  /** Only this source's backups. */
  source?: SourceFilter | undefined;
  dryRun?: boolean | undefined;
  /** Must be true to delete anything: the CLI sets it after --yes or a confirmation. */
  confirmed?: boolean | undefined;
}

export interface PruneResult {
  dryRun: boolean;
  policy: RetentionPolicy;
  decisions: PruneDecision[];
  /** Ids deleted (or, with dryRun, that would be). */
  deleted: string[];
}

/** The policy from flags, else from `[backups]`; a usage error when there is none. */
export function retentionPolicy(project: Project, options: RetentionPolicy): RetentionPolicy {
  const flags = options.keepLast !== undefined || options.maxAgeMs !== undefined;
  const policy = flags
    ? { keepLast: options.keepLast, maxAgeMs: options.maxAgeMs }
    : { keepLast: project.config.backups.keepLast, maxAgeMs: project.config.backups.maxAgeMs };
  if (policy.keepLast === undefined && policy.maxAgeMs === undefined) {
    throw usageError(
      'prune.no_policy',
      'No retention policy: nothing says which backups to delete.',
      'Give --keep-last N and/or --max-age DURATION, or set keep_last / max_age in [backups].',
    );
  }
  return policy;
}

/** Apply the retention policy. Refuses (exit 2) to delete without `confirmed: true`. */
export async function pruneBackups(
  project: Project,
  options: PruneOptions = {},
): Promise<PruneResult> {
  const policy = retentionPolicy(project, options);
  const entries = await listBackupEntries(project.config.backups.dir, options.source);
  const decisions = planPrune(entries, policy);
  const doomed = decisions.filter((d) => !d.keep);
  const dryRun = options.dryRun === true;
  if (!dryRun && doomed.length > 0 && options.confirmed !== true) {
    throw usageError(
      'prune.unconfirmed',
      `Refusing to delete ${doomed.length} backup${doomed.length === 1 ? '' : 's'} without confirmation.`,
      'Add --yes, or run it on a terminal to be asked; --dry-run shows what would go.',
    );
  }
  if (!dryRun) {
    await removeAbandonedPartials(project.config.backups.dir);
    for (const decision of doomed) {
      // Hide it first (a dot folder is never listed), so an interrupted delete never
      // leaves a backup whose manifest promises files that are gone.
      const hidden = join(dirname(decision.dir), `.deleting-${basename(decision.dir)}`);
      await rename(decision.dir, hidden);
      await rm(hidden, { recursive: true, force: true });
    }
  }
  return { dryRun, policy, decisions, deleted: doomed.map((d) => d.id) };
}

function started(entry: BackupEntry): string {
  return entry.manifest?.startedAt ?? '';
}
