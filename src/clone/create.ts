import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { CloneStrategy } from '../config/types.js';
import { DbfastError, ExitCode, pgFields } from '../errors.js';
import {
  databaseError,
  dropDatabase,
  isDuplicateDatabase,
  isObjectInUse,
} from '../server/databases.js';
import { databaseIdent, quoteIdent } from '../server/identifiers.js';
import { type CloneMetadata, commentSql } from '../template/metadata.js';
import { chooseStrategy, type StrategyChoice } from './strategy.js';

export interface CreateCloneOptions {
  name: string;
  template: string;
  env: string;
  serverMajor: number;
  templateBytes: number;
  strategy: CloneStrategy;
  owner?: string | undefined;
  /** Replace an existing database of that name. */
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
 * CREATE DATABASE name TEMPLATE template on an open connection, then label it. Clears stray
 * sessions off the template first (templates refuse new connections, so only sessions from
 * before can be there), and retries SQLSTATE 55006 with backoff. Two clones of one template
 * may run at once. Safe from any number of processes.
 */
export async function createClone(
  client: pg.Client,
  options: CreateCloneOptions,
): Promise<CreatedClone> {
  const started = performance.now();
  let choice: StrategyChoice | undefined;
  let fileClone = true;
  const deadline = Date.now() + IN_USE_DEADLINE_MS;
  let attempts = 0;
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    attempts += 1;
    try {
      // One round trip: clear stray sessions off the template, and read fsync (the strategy
      // depends on it: see strategy.ts).
      const { rows } = await client.query<{ fsync: string }>(
        `SELECT current_setting('fsync') AS fsync,
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
      );
      await runCreate(client, options, choice);
      break;
    } catch (error) {
      if (choice?.cloneFiles === true && !isObjectInUse(error) && !isDuplicateDatabase(error)) {
        // copy_file_range/reflink unsupported here: fall back to a plain file copy.
        fileClone = false;
        continue;
      }
      if (isDuplicateDatabase(error) && options.force === true) {
        await dropDatabase(client, options.name);
        continue;
      }
      if (isDuplicateDatabase(error)) {
        throw new DbfastError('clone.exists', `Database "${options.name}" already exists.`, {
          hint: 'Pass --force to replace it (its data is lost), or choose another name.',
          exitCode: ExitCode.usage,
          cause: error,
          ...(pgFields(error) ? { pg: pgFields(error) } : {}),
        });
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
  const metadata:
    | CloneMetadata
    | { dbfast: 'pool'; template: string; env: string; createdAt: string } =
    options.label === 'pool'
      ? {
          dbfast: 'pool',
          template: options.template,
          env: options.env,
          createdAt: new Date().toISOString(),
        }
      : {
          dbfast: 'clone',
          template: options.template,
          env: options.env,
          createdAt: new Date().toISOString(),
          creator: creator(),
          ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
          ...(options.run === undefined ? {} : { run: options.run }),
        };
  await client.query(commentSql(options.name, metadata));
  return {
    name: options.name,
    strategy: choice.label,
    createMs: performance.now() - started,
    attempts,
  };
}

async function runCreate(
  client: pg.Client,
  options: CreateCloneOptions,
  choice: StrategyChoice,
): Promise<void> {
  const owner = options.owner === undefined ? '' : ` OWNER ${quoteIdent(options.owner)}`;
  const sql = `CREATE DATABASE ${databaseIdent(options.name)} TEMPLATE ${databaseIdent(options.template)}${owner}${choice.clause}`;
  if (!choice.cloneFiles) {
    await client.query(sql);
    return;
  }
  await client.query('SET file_copy_method = clone');
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
