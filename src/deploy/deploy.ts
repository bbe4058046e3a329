import type pg from 'pg';
import { dumpCommand, restoreCommand } from '../backup/commands.js';
import { throwIfAborted } from '../backup/exec.js';
import { type RestoreTarget, requireConfirmations } from '../backup/restore-target.js';
import { backupStamp } from '../backup/store.js';
import { dropQuietly, freeName, nameWithSuffix, swapDatabases } from '../backup/swap.js';
import { createBackup } from '../backup/take-backup.js';
import { verifyBackup } from '../backup/verify.js';
import { generatedCloneName } from '../catalog/names.js';
import { createClone } from '../clone/create-database.js';
import type { ConnectionParams } from '../config/types.js';
import { DbfastError } from '../errors.js';
import type { Project } from '../project.js';
import { withClient } from '../server/connection.js';
import { databaseExists, dropDatabase, renameDatabase } from '../server/databases.js';
import { databaseIdent, quoteIdent } from '../server/identifiers.js';
import type { PgTool } from '../server/pg-tools.js';
import { ensureTemplate, type TemplateResult } from '../template/ensure.js';
import { type DeployOptions, type DeployPlan, planParts } from './plan.js';
import { streamDump } from './stream.js';
import { assertSameCounts, tableCounts } from './verify.js';

/** What `deployTemplate` did: the plan it followed and where the replaced database was kept. */
export interface DeployResult {
  plan: DeployPlan;
  remote: string;
  env: string;
  database: string;
  server: string;
  template: string;
  templateBuilt: boolean;
  /** The backup taken first (and verified), if one was. */
  backup: string | undefined;
  /** Where the replaced database was kept, if one was replaced. */
  previous: string | undefined;
  /** SQL that puts the previous database back (run on the remote's server). */
  undo: string | undefined;
  tables: number;
  rows: number;
  durationMs: number;
  timings: { templateMs: number; backupMs: number; streamMs: number; verifyMs: number };
  /**
   * Settles (never rejects) once the local clone the dump was read from is dropped. The
   * remote is complete when deployTemplate resolves; await this before the process exits.
   */
  finished: Promise<void>;
}

/** A source kept this long after a crash before gc may drop it (it lives minutes at most). */
const SOURCE_TTL_MS = 60 * 60 * 1000;
const STEPS = 5;

/**
 * Make a remote's database match an environment's template. In order: validate the
 * environment, refuse (exit 2) unless the needed confirmations were given, build the
 * template when stale, back the remote database up and verify the backup (refusing to go on
 * if it does not verify), stream `pg_dump | pg_restore` from a clone of the template into a
 * scratch database on the remote, check that every table has the template's row count, and
 * swap it in by rename, keeping the old database as `<name>_old_<timestamp>` (see `undo`).
 * Any failure before the swap drops the scratch database: the remote is left as it was.
 * The local clone is dropped after the call returns (see `finished`).
 */
export async function deployTemplate(
  project: Project,
  options: DeployOptions,
): Promise<DeployResult> {
  const started = Date.now();
  const { plan, target, toolError, tools } = await planParts(project, options);
  requireConfirmations(target, plan.database, plan.replacing, options, 'deploy');
  if (tools === undefined) throw toolError;
  const progress: Progress = (done, label) =>
    project.reporter.progress?.({ task: `deploy ${plan.remote}`, done, total: STEPS, label });

  progress(0, plan.template.build ? `building template ${plan.template.name}` : 'template');
  const template = await ensureTemplate(project, { env: plan.env });
  const templateMs = Date.now() - started;
  throwIfAborted(options.signal);

  if (plan.backup) progress(1, `backing up ${plan.database}`);
  const backup = plan.backup ? await backUpFirst(project, plan, options.signal) : undefined;
  const backupMs = Date.now() - started - templateMs;

  const source = await startSource(project, plan.env, template);
  let copied: Copied;
  try {
    copied = await withClient(target.params, (client) =>
      copyAndSwap(client, { project, plan, options, tools, target, template, source, progress }),
    );
  } catch (error) {
    // A clone still being made would outlive a DROP that ran before it exists.
    await source.cloning.catch(() => undefined);
    await source.drop();
    throw error;
  }
  const counts = Object.values(copied.counts);
  return {
    plan,
    remote: plan.remote,
    env: plan.env,
    database: plan.database,
    server: plan.server,
    template: template.name,
    templateBuilt: template.built,
    backup,
    previous: copied.previous,
    undo: copied.previous === undefined ? undefined : undoSql(plan.database, copied.previous),
    tables: counts.length,
    rows: counts.reduce((x, y) => x + y, 0),
    durationMs: Date.now() - started,
    timings: { templateMs, backupMs, streamMs: copied.streamMs, verifyMs: copied.verifyMs },
    finished: source.drop(),
  };
}

type Progress = (done: number, label: string) => void;

/** Back the remote database up and verify the backup; refuse to go on if it does not verify. */
async function backUpFirst(
  project: Project,
  plan: DeployPlan,
  signal: AbortSignal | undefined,
): Promise<string> {
  const backup = (await createBackup(project, { remote: plan.remote, signal })).id;
  const verified = await verifyBackup(project, backup, { signal });
  if (!verified.ok) {
    throw new DbfastError(
      'deploy.backup_unverified',
      `The backup taken before the deploy (${backup}) failed verification:\n  ${verified.problems.join('\n  ')}`,
      { hint: 'Nothing was deployed. Check the backup folder and disk, then deploy again.' },
    );
  }
  return backup;
}

/** The local clone pg_dump reads (a template refuses connections), being made. */
interface Source {
  name: string;
  local: ConnectionParams;
  cloning: Promise<unknown>;
  /** Drop it; settles, never rejects (labelled with a ttl: gc drops it if this fails). */
  drop: () => Promise<void>;
}

/** Start cloning the template locally; the caller awaits `cloning` when it needs it. */
async function startSource(
  project: Project,
  env: string,
  template: TemplateResult,
): Promise<Source> {
  const local = await project.connection();
  const name = generatedCloneName(project.config.database.templateName, `${env}_deploy`);
  const cloning = withClient(local, (localClient) =>
    createClone(localClient, {
      name,
      project: project.id,
      template: template.name,
      env,
      serverMajor: template.serverMajor,
      templateBytes: template.sizeBytes,
      strategy: project.config.database.cloneStrategy,
      ttlMs: SOURCE_TTL_MS,
    }),
  );
  cloning.catch(() => undefined); // awaited later; an early failure must not go unhandled
  // DROP DATABASE forces a checkpoint (seconds on a busy server): after a deploy that
  // worked, the clone is dropped off the caller's path, and `finished` says when.
  const drop = (): Promise<void> =>
    withClient(local, (c) => dropDatabase(c, name)).then(
      () => undefined,
      () => undefined,
    );
  return { name, local, cloning, drop };
}

/** What the copy into the remote did. */
interface Copied {
  previous: string | undefined;
  counts: Record<string, number>;
  streamMs: number;
  verifyMs: number;
}

interface CopyContext {
  project: Project;
  plan: DeployPlan;
  options: DeployOptions;
  tools: { pgDump: PgTool; pgRestore: PgTool };
  target: RestoreTarget;
  template: TemplateResult;
  source: Source;
  progress: Progress;
}

/**
 * On the remote: stream the source into a scratch database, check every table's row count,
 * swap it in. Any failure before the swap drops the scratch database.
 */
async function copyAndSwap(client: pg.Client, context: CopyContext): Promise<Copied> {
  const { project, plan, options, tools, target, template, source, progress } = context;
  const stamp = backupStamp(new Date());
  const scratch = await freeName(client, plan.database, `_deploy_${stamp.toLowerCase()}`);
  // Two servers, two independent steps: the remote's scratch database is created while
  // the local clone is made.
  const [cloned, created] = await Promise.allSettled([
    source.cloning,
    client.query(`CREATE DATABASE ${databaseIdent(scratch)} TEMPLATE template0`),
  ]);
  if (created.status === 'rejected') throw created.reason;
  try {
    if (cloned.status === 'rejected') throw cloned.reason;
    progress(2, `pg_dump ${template.name} | pg_restore into ${scratch}`);
    const streamStarted = Date.now();
    await streamDump(
      dumpCommand(tools.pgDump, source.local, source.name, undefined, {
        format: 'custom',
        jobs: 1,
        // A pipe, not a file: compressing would only cost CPU on both ends.
        compression: { method: 'none', level: undefined },
      }),
      restoreCommand(tools.pgRestore, target.params, scratch, undefined, {
        jobs: 1,
        noAcl: options.noAcl === true,
      }),
      options,
    );
    const streamMs = Date.now() - streamStarted;
    progress(3, `verifying ${scratch}`);
    const [expected, actual] = await Promise.all([
      tableCounts(source.local, source.name),
      tableCounts(target.params, scratch),
    ]);
    assertSameCounts(expected, actual);
    const verifyMs = Date.now() - streamStarted - streamMs;
    throwIfAborted(options.signal);
    progress(4, `swapping ${scratch} into ${plan.database}`);
    const previous = await publish(client, plan, scratch, stamp, project.id);
    progress(5, 'done');
    return { previous, counts: expected, streamMs, verifyMs };
  } catch (error) {
    await dropQuietly(client, scratch);
    throw error;
  }
}

/** Put the verified scratch database in place; returns where the old one was kept. */
async function publish(
  client: Parameters<typeof renameDatabase>[0],
  plan: DeployPlan,
  scratch: string,
  stamp: string,
  templateName: string,
): Promise<string | undefined> {
  const exists = await databaseExists(client, plan.database);
  if (!exists) {
    await renameDatabase(client, scratch, plan.database);
    return undefined;
  }
  if (!plan.replacing) {
    throw new DbfastError(
      'deploy.target_appeared',
      `Database "${plan.database}" appeared on remote "${plan.remote}" during the deploy.`,
      { hint: 'Nothing was replaced; run the deploy again.' },
    );
  }
  const previous = await freeName(client, plan.database, `_old_${stamp}`);
  await swapDatabases(client, plan.database, scratch, previous, templateName);
  return previous;
}

/** The SQL that undoes a swap: the deployed database aside, the previous one back. */
export function undoSql(database: string, previous: string): string {
  return `ALTER DATABASE ${quoteIdent(database)} RENAME TO ${quoteIdent(nameWithSuffix(database, '_undone'))}; ALTER DATABASE ${quoteIdent(previous)} RENAME TO ${quoteIdent(database)};`;
}
