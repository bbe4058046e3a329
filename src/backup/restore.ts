import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { writeMetadata } from '../catalog/label.js';
import { DbfastError, ExitCode } from '../errors.js';
import type { Project } from '../project.js';
import { withAdvisoryLock, withClient } from '../server/connection.js';
import { databaseExists } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';
import { serverInfo } from '../server/info.js';
import { finishAsTemplate, requireBackupTemplate, templateNameFor } from './as-template.js';
import { restoreCommand } from './commands.js';
import { runTool, throwIfAborted } from './exec.js';
import { checkIntegrity, findArchiveReader } from './integrity.js';
import type { BackupManifest } from './manifest.js';
import {
  repairAbandonedRestores,
  restoreLabel,
  restoreLockKey,
  scratchSuffix,
  swapLockKey,
} from './repair.js';
import {
  type Confirmations,
  checkTargetName,
  type RestoreTarget,
  requireConfirmations,
  resolveRestoreTarget,
} from './restore-target.js';
import { backupStamp, findBackup } from './store.js';
import { dropQuietly, freeName, publishRestored, swapDatabases } from './swap.js';

/** Which backup `restoreBackup` restores, where to, and the confirmations the target needs. */
export interface RestoreOptions extends Confirmations {
  /** Backup id (`source/timestamp`, a timestamp, `source/latest`, `latest`). */
  id: string;
  /** The database to create or replace. Not used with asTemplate. */
  to?: string | undefined;
  /** Restore onto this remote's server instead of the project's own. */
  remote?: string | undefined;
  /** Make a dbfast template (`<template_name>_backup_…`) instead of a plain database. */
  asTemplate?: boolean | undefined;
  /** pg_restore jobs; default `[backups] jobs`, at least min(4, CPUs). */
  jobs?: number | undefined;
  /** Skip GRANT/REVOKE from the archive (roles of the source may not exist here). */
  noAcl?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface RestorePlan {
  id: string;
  manifest: BackupManifest;
  target: RestoreTarget;
  /** The database that will hold the restored data. */
  database: string;
  exists: boolean;
  /** An existing database would be replaced (destructive). */
  replacing: boolean;
  asTemplate: boolean;
}

/** What `restoreBackup` did: the database it made and where a replaced one was kept. */
export interface RestoreResult {
  id: string;
  database: string;
  /** Where the replaced database was kept (undo by renaming it back), if one was replaced. */
  previous: string | undefined;
  asTemplate: boolean;
  /** With asTemplate: the template already existed for this backup; nothing was done. */
  existing: boolean;
  server: string;
  remote: string | undefined;
  durationMs: number;
}

/** What a restore would do, read from the server, without changing anything. */
export async function planRestore(project: Project, options: RestoreOptions): Promise<RestorePlan> {
  const parts = await planParts(project, options);
  const exists = await withClient(parts.target.params, (c) => databaseExists(c, parts.database));
  return { ...parts, exists, replacing: exists && !parts.asTemplate };
}

/** The plan minus what only the server knows (whether the target exists). */
async function planParts(
  project: Project,
  options: RestoreOptions,
): Promise<Omit<RestorePlan, 'exists' | 'replacing'> & { dir: string }> {
  const entry = await findBackup(project.config.backups.dir, options.id);
  const manifest = entry.manifest as BackupManifest;
  const target = await resolveRestoreTarget(project, options.remote);
  const asTemplate = options.asTemplate === true;
  if (!asTemplate && options.to === undefined) {
    throw new DbfastError('restore.no_target', 'Say where to restore: --to NAME.', {
      hint: 'Or --as-template to make a template from the backup.',
      exitCode: ExitCode.usage,
    });
  }
  const database = asTemplate
    ? templateNameFor(project.config.database.templateName, manifest)
    : checkTargetName(options.to as string, target);
  return { id: entry.id, dir: entry.dir, manifest, target, database, asTemplate };
}

/**
 * Restore a backup into a scratch database beside the target, then swap it in by rename.
 * A restore that fails (or is interrupted) midway drops the scratch database and leaves the
 * target as it was; a replaced database is kept as `<name>_old_<timestamp>`. Refuses with
 * exit code 2 unless the confirmations the target needs are given (see restore-target.ts).
 * The archive's checksums and table of contents are checked before pg_restore runs any of
 * it: a damaged backup fails with `restore.corrupt` and the target untouched.
 */
export async function restoreBackup(
  project: Project,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const started = Date.now();
  const parts = await planParts(project, options);
  const { manifest, target, database } = parts;
  // Found while the connection opens; awaited (and its error thrown) only where needed.
  const finding = findArchiveReader(manifest, project.config.server.binDir);
  const jobs =
    options.jobs ?? Math.max(project.config.backups.jobs, Math.min(4, availableParallelism()));
  const stamp = backupStamp(new Date());

  return withClient(target.params, async (client) => {
    // A restore that died before may have left a target refusing connections: give it its
    // setting back before reading it (or copying it onto a kept old database).
    await repairAbandonedRestores(client, project.id);
    const exists = await databaseExists(client, database);
    const plan: RestorePlan = { ...parts, exists, replacing: exists && !parts.asTemplate };
    requireConfirmations(target, database, plan.replacing, options);
    if (plan.asTemplate && plan.exists) {
      await requireBackupTemplate(client, project.id, database, plan.id);
      return result(plan, undefined, true, started);
    }
    const pgRestore = await finding;
    const progress = (done: number, label: string): void =>
      project.reporter.progress?.({ task: `restore ${plan.id}`, done, total: 4, label });
    // Everything is checked BEFORE pg_restore runs anything: a tampered archive's SQL runs
    // as the restoring role (often a superuser), so it must never start. The check (which
    // hands the archive to `pg_restore -l` only once its checksums match) runs while the
    // empty scratch database is made, which runs nothing of the archive.
    progress(1, 'checking checksums and the table of contents');
    const integrity = checkIntegrity(parts.dir, manifest, pgRestore, options.signal);
    integrity.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const scratch = await freeName(client, database, scratchSuffix(stamp));
    const run: RestoreRun = { project, plan, started, stamp };
    return withAdvisoryLock(target.params, restoreLockKey(scratch), async () => {
      await client.query(`CREATE DATABASE ${databaseIdent(scratch)} TEMPLATE template0`);
      try {
        await writeMetadata(client, scratch, restoreLabel(project.id, database));
        const { problems } = await integrity;
        if (problems.length > 0) throw damaged(plan.id, problems);
        progress(2, `pg_restore into ${scratch}`);
        const archive = join(parts.dir, manifest.archive);
        const settings = { jobs, noAcl: options.noAcl === true };
        await runTool(
          restoreCommand(pgRestore, target.params, scratch, archive, settings),
          options,
        );
        throwIfAborted(options.signal);
        progress(3, `publishing ${database}`);
        return await publish(client, run, scratch);
      } catch (error) {
        await dropQuietly(client, scratch);
        throw error;
      } finally {
        progress(4, 'done');
      }
    });
  });
}

/** One restore under way, for its publishing step. */
interface RestoreRun {
  project: Project;
  plan: RestorePlan;
  started: number;
  /** The timestamp in the names of the scratch and the kept old database. */
  stamp: string;
}

/**
 * Give the restored scratch database its place: a template's label and name, a new database's
 * name, or the target's name with the target kept as `<name>_old_<stamp>` (under the swap
 * lock, so two restores into one target take turns).
 */
async function publish(
  client: pg.Client,
  run: RestoreRun,
  scratch: string,
): Promise<RestoreResult> {
  const { project, plan, started } = run;
  const { database, target } = plan;
  if (plan.asTemplate) {
    await finishAsTemplate(client, scratch, database, {
      project: project.id,
      id: plan.id,
      manifest: plan.manifest,
      server: await serverInfo(client),
      buildMs: Date.now() - started,
    });
    return result(plan, undefined, false, started);
  }
  return withAdvisoryLock(target.params, swapLockKey(database), async () => {
    if (!(await databaseExists(client, database))) {
      await publishRestored(client, scratch, database);
      return result(plan, undefined, false, started);
    }
    if (!plan.replacing) {
      // Created by someone else since the plan: replacing it was never confirmed.
      throw new DbfastError(
        'restore.target_appeared',
        `Database "${database}" appeared during the restore.`,
        { hint: 'Nothing was replaced; run the restore again.' },
      );
    }
    const old = await freeName(client, database, `_old_${run.stamp}`);
    await swapDatabases(client, database, scratch, old, project.id);
    return result(plan, old, false, started);
  });
}

function damaged(id: string, problems: string[]): DbfastError {
  return new DbfastError(
    'restore.corrupt',
    `Backup ${id} is damaged:\n  ${problems.join('\n  ')}`,
    {
      hint: `The target was not touched. \`dbfast backup verify ${id}\` records the result.`,
    },
  );
}

function result(
  plan: RestorePlan,
  previous: string | undefined,
  existing: boolean,
  started: number,
): RestoreResult {
  return {
    id: plan.id,
    database: plan.database,
    previous,
    asTemplate: plan.asTemplate,
    existing,
    server: plan.target.url,
    remote: plan.target.remote,
    durationMs: Date.now() - started,
  };
}
