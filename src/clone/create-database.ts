import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { CloneMetadata, PoolMetadata } from '../catalog/label.js';
import { requireReplaceable } from '../catalog/ownership.js';
import { publishAs, unlockWork, workLock, workName } from '../catalog/work.js';
import type { CloneStrategy } from '../config/types.js';
import { DbfastError, ExitCode, errorMessage, pgFields } from '../errors.js';
import {
  databaseError,
  dropDatabase,
  isDuplicateDatabase,
  isObjectInUse,
} from '../server/databases.js';
import { databaseIdent, quoteIdent } from '../server/identifiers.js';
import { lockIdSql } from '../server/locks.js';
import { chooseStrategy, type StrategyChoice } from './strategy.js';

export interface CreateCloneOptions {
  name: string;
  /** The project it is made for (written into its label). */
  project: string;
  template: string;
  env: string;
  serverMajor: number;
  templateBytes: number;
  strategy: CloneStrategy;
  owner?: string | undefined;
  /** Replace an existing database of that name: only ever a clone of this project. */
  force?: boolean | undefined;
  ttlMs?: number | undefined;
  /** The library handle (test run) that asks, recorded in the label. */
  run?: string | undefined;
  /** `pool` makes a pool member (labelled as such); default a clone. */
  label?: 'clone' | 'pool';
}

export interface CreatedClone {
  name: string;
  strategy: string;
  createMs: number;
  attempts: number;
}

/** How long to keep retrying "source database is being accessed by other users". */
const IN_USE_DEADLINE_MS = 15_000;

/**
 * CREATE DATABASE … TEMPLATE template on an open connection, under a work name held by this
 * session's advisory lock (catalog/work.ts), then rename it to `name` together with its label
 * in one statement: `name` never exists unlabelled, and a process killed midway leaves a work
 * database that gc recognises and removes. Clears stray sessions off the template first
 * (templates refuse new connections, so only sessions from before can be there), and retries
 * SQLSTATE 55006 with backoff. Two clones of one template may run at once. Safe from any
 * number of processes.
 */
export async function createClone(
  client: pg.Client,
  options: CreateCloneOptions,
): Promise<CreatedClone> {
  const started = performance.now();
  const work = workName(options.project);
  // The name is checked before anything is copied (a large template takes seconds); a race
  // with another process is still caught when publishing.
  const { rows } = await client.query<{ taken: boolean }>(
    `SELECT pg_advisory_lock(${lockIdSql('$2')}) IS NULL AS locked,
            EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS taken`,
    [options.name, workLock(work)],
  );
  let published = false;
  try {
    if (rows[0]?.taken === true) await makeRoom(client, options);
    const { choice, attempts } = await copyTemplate(client, options, work);
    const label = labelFor(options);
    while (!published) {
      try {
        await publishAs(client, work, options.name, label, { unlock: true });
        published = true;
      } catch (error) {
        if (!isDuplicateDatabase(error)) throw error;
        await makeRoom(client, options, error);
      }
    }
    return {
      name: options.name,
      strategy: choice.label,
      createMs: performance.now() - started,
      attempts,
    };
  } catch (error) {
    await dropDatabase(client, work).catch(() => undefined);
    throw error;
  } finally {
    if (!published) await unlockWork(client, work);
  }
}

/** `name` exists: drop it when `force` and it is a clone of this project, else refuse. */
async function makeRoom(
  client: pg.Client,
  options: CreateCloneOptions,
  cause?: unknown,
): Promise<void> {
  if (options.force === true) {
    await requireReplaceable(client, options.project, options.name);
    await dropDatabase(client, options.name);
    return;
  }
  throw cloneExistsError(options.name, cause);
}

/** `name` exists and the clone was not asked to replace it. */
export function cloneExistsError(name: string, cause?: unknown): DbfastError {
  return new DbfastError('clone.exists', `Database "${name}" already exists.`, {
    hint: 'Choose another name, or pass --force to replace it if it is a clone of this project (its data is lost).',
    exitCode: ExitCode.usage,
    ...(cause === undefined ? {} : { cause }),
    ...(pgFields(cause) ? { pg: pgFields(cause) } : {}),
  });
}

/** CREATE DATABASE `work` from the template, retrying while stray sessions hold it. */
async function copyTemplate(
  client: pg.Client,
  options: CreateCloneOptions,
  work: string,
): Promise<{ choice: StrategyChoice; attempts: number }> {
  let choice: StrategyChoice | undefined;
  let fileClone = true;
  let cloneFailure: string | undefined;
  const deadline = Date.now() + IN_USE_DEADLINE_MS;
  let attempts = 0;
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    attempts += 1;
    try {
      // One round trip: clear stray sessions off the template, and read fsync and the
      // server's file_copy_method (the strategy depends on them: see strategy.ts).
      const { rows } = await client.query<{ fsync: string; fcm: string | null }>(
        `SELECT current_setting('fsync') AS fsync,
                current_setting('file_copy_method', true) AS fcm,
                (SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                  WHERE datname = $1 AND pid <> pg_backend_pid()) AS terminated`,
        [options.template],
      );
      choice = chooseStrategy(
        options.strategy,
        options.serverMajor,
        options.templateBytes,
        rows[0]?.fsync !== 'off',
        fileClone,
        rows[0]?.fcm === 'clone',
      );
      await runCreate(client, work, options, choice, rows[0]?.fcm === 'clone');
      if (cloneFailure !== undefined) {
        choice = { ...choice, label: `${choice.label} (clone method failed: ${cloneFailure})` };
      }
      return { choice, attempts };
    } catch (error) {
      if (choice?.cloneFiles === true && !isObjectInUse(error)) {
        // The clone method failed here (a build without it, a file system that refuses
        // copy_file_range): never fail the clone for it; copy the files, and say why.
        fileClone = false;
        cloneFailure = errorMessage(error);
        continue;
      }
      if (isObjectInUse(error) && Date.now() < deadline) {
        await sleep(delay + Math.random() * delay);
        continue;
      }
      throw databaseError(
        'clone.failed',
        `Could not create "${options.name}" from template "${options.template}"`,
        error,
        isObjectInUse(error)
          ? 'Something keeps connecting to the template; find it in pg_stat_activity.'
          : undefined,
      );
    }
  }
}

function labelFor(options: CreateCloneOptions): CloneMetadata | PoolMetadata {
  const createdAt = new Date().toISOString();
  const common = { project: options.project, template: options.template, env: options.env };
  if (options.label === 'pool') return { dbfast: 'pool', ...common, createdAt };
  return {
    dbfast: 'clone',
    ...common,
    createdAt,
    creator: creator(),
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    ...(options.run === undefined ? {} : { run: options.run }),
  };
}

async function runCreate(
  client: pg.Client,
  name: string,
  options: CreateCloneOptions,
  choice: StrategyChoice,
  serverClones: boolean,
): Promise<void> {
  const owner = options.owner === undefined ? '' : ` OWNER ${quoteIdent(options.owner)}`;
  const sql = `CREATE DATABASE ${databaseIdent(name)} TEMPLATE ${databaseIdent(options.template)}${owner}${choice.clause}`;
  // For this statement only: the clone method, or a plain copy where the server defaults to
  // clone but cloning failed in this session.
  const copyInstead = serverClones && choice.clause === ' STRATEGY FILE_COPY';
  const method = choice.cloneFiles ? 'clone' : copyInstead ? 'copy' : undefined;
  if (method === undefined) {
    await client.query(sql);
    return;
  }
  await client.query(`SET file_copy_method = ${method}`);
  try {
    await client.query(sql);
  } finally {
    await client.query('RESET file_copy_method');
  }
}

/** Who made a clone: user@host, for `dbfast list`. */
function creator(): string {
  try {
    return `${userInfo().username}@${process.env.HOSTNAME ?? 'localhost'}`;
  } catch {
    return 'unknown';
  }
}
