import type { Project } from '../project.js';
import { listBackupEntries, type SourceFilter } from './store.js';

/**
 * `dbfast backup list`: one row per backup folder, newest first, with what a person needs
 * to pick one (and never a password: manifests hold none).
 */

export interface BackupSummary {
  id: string;
  source: string;
  database: string | undefined;
  label: string | undefined;
  format: string | undefined;
  compression: string | undefined;
  bytes: number | undefined;
  startedAt: string | undefined;
  ageMs: number | undefined;
  durationMs: number | undefined;
  /** `yes` (last verification passed), `failed`, or `no` (never verified). */
  verified: 'yes' | 'no' | 'failed';
  verifiedAt: string | undefined;
  dir: string;
  /** Set when the folder is not a usable backup (manifest missing or unreadable). */
  problem: string | undefined;
}

/**
 * This project's backups (optionally of one source), newest first, read from the backups
 * folder: a folder without a readable manifest is listed with `problem` set, never skipped.
 * Reads files only; never connects to a server.
 */
export async function listBackups(
  project: Project,
  options: { source?: SourceFilter | undefined } = {},
): Promise<BackupSummary[]> {
  const now = Date.now();
  const entries = await listBackupEntries(project.config.backups.dir, options.source);
  return entries.map((entry) => {
    const m = entry.manifest;
    const v = entry.verification;
    return {
      id: entry.id,
      source: entry.source,
      database: m?.database,
      label: m?.label,
      format: m?.format,
      compression: m?.compression,
      bytes: m?.bytes,
      startedAt: m?.startedAt,
      ageMs: m === undefined ? undefined : now - Date.parse(m.startedAt),
      durationMs: m?.durationMs,
      verified: v === undefined ? 'no' : v.ok ? 'yes' : 'failed',
      verifiedAt: v?.verifiedAt,
      dir: entry.dir,
      problem: entry.problem,
    };
  });
}
