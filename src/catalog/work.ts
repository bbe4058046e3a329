import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { dropDatabase } from '../server/databases.js';
import { databaseIdent, quoteLiteral } from '../server/identifiers.js';
import { lockIdSql, lockKey, releaseLock, takeLock, tryLock } from '../server/locks.js';
import { commentSql, type Metadata, parseMetadata } from './label.js';

/**
 * Liveness of work in progress, through PostgreSQL rather than pids, so it holds across
 * machines sharing a server. A database being made (a clone, a pool member, a template build)
 * is created under a work name, `dbfast_wip_<project hash8>_<random12>`, by a session that
 * holds the advisory lock `dbfast:wip:<work name>` until the work is published (renamed to
 * its final name together with its final label, in one statement) or abandoned. A work
 * database whose lock is free belongs to a process that is gone, wherever it ran: gc drops
 * it (WITH FORCE, which also ends the sessions it orphaned). The random part means no one
 * ever takes a dead owner's lock, so checking and dropping need no further coordination.
 */

const PREFIX = 'dbfast_wip_';

function projectHash(project: string): string {
  return createHash('sha256').update(project).digest('hex').slice(0, 8);
}

/** What every work name of `project` starts with. */
export function workPrefix(project: string): string {
  return `${PREFIX}${projectHash(project)}_`;
}

/** A fresh work name for `project` (32 bytes). */
export function workName(project: string): string {
  return `${workPrefix(project)}${randomBytes(6).toString('hex')}`;
}

/** Whether `name` is a work name of `project`. */
export function isWorkName(name: string, project: string): boolean {
  return name.startsWith(workPrefix(project)) && /^[0-9a-f]{12}$/.test(name.slice(20));
}

/** The advisory-lock key held while `name` is work in progress (recorded in its label). */
export function workLock(name: string): string {
  return lockKey(`wip:${name}`);
}

/** The lock one build of template `template` holds (withPolledAdvisoryLock's key space). */
export function buildLock(template: string): string {
  return `template:${template}`;
}

/** Take the work lock of `name` on this session (call before creating the database). */
export async function lockWork(client: pg.Client, name: string): Promise<void> {
  await takeLock(client, workLock(name));
}

/** Release the work lock of `name` (best effort: a closed session has released it already). */
export async function unlockWork(client: pg.Client, name: string): Promise<void> {
  await releaseLock(client, workLock(name)).catch(() => undefined);
}

/**
 * Rename `from` to `to` and write `to`'s label in ONE statement (one implicit transaction):
 * the final name never exists without its label, and a label never sits on the wrong name.
 * With `unlock`, the work lock of `from` is released in the same round trip (the clone's
 * hot path); it stays held when the statement fails.
 */
export async function publishAs(
  client: pg.Client,
  from: string,
  to: string,
  label: Metadata,
  options: { unlock?: boolean } = {},
): Promise<void> {
  const unlock =
    options.unlock === true
      ? `; SELECT pg_advisory_unlock(${lockIdSql(quoteLiteral(workLock(from)))})`
      : '';
  await client.query(
    `ALTER DATABASE ${databaseIdent(from)} RENAME TO ${databaseIdent(to)}; ${commentSql(to, label)}${unlock}`,
  );
}

/**
 * Run `fn` while holding the advisory lock `key` on this session, if it is free; returns
 * false without running it when someone holds the lock (the work is alive).
 */
export async function whileUnlocked(
  client: pg.Client,
  key: string,
  fn: () => Promise<void>,
): Promise<boolean> {
  if (!(await tryLock(client, key))) return false;
  try {
    await fn();
  } finally {
    await releaseLock(client, key);
  }
  return true;
}

/** A leftover of work in progress whose owner is gone. */
export interface AbandonedWork {
  name: string;
  /** `build` (labelled scratch database of a template build) or `work` (never labelled). */
  kind: 'build' | 'work';
  reason: string;
}

/**
 * The work databases of `project` nobody works on any more: labelled in-progress ones
 * (`lock` in their label) and unlabelled ones under a work name of the project (killed
 * between CREATE DATABASE and their first label), whose lock is free. Dropped unless
 * `dryRun`, each while holding its lock; a live one is never touched. 0.1.0 build labels
 * (no `lock`) are judged by their template's build lock, the one their builder held.
 */
export async function abandonedWork(
  client: pg.Client,
  project: string,
  options: { dryRun?: boolean } = {},
): Promise<AbandonedWork[]> {
  const { rows } = await client.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database
      WHERE starts_with(datname, $1)
         OR starts_with(shobj_description(oid, 'pg_database'), '{"dbfast":"build"')`,
    [workPrefix(project)],
  );
  const found: AbandonedWork[] = [];
  for (const { datname, comment } of rows) {
    const label = parseMetadata(comment);
    let item: { key: string; what: AbandonedWork } | undefined;
    if (label?.dbfast === 'build' && label.project === project) {
      item = {
        key: label.lock ?? lockKey(buildLock(label.template)),
        what: {
          name: datname,
          kind: 'build',
          reason:
            label.retired === true
              ? `previous template ${label.template}, replaced by a rebuild; its drop did not finish (${label.startedAt})`
              : `scratch database of a build that did not finish (started ${label.startedAt})`,
        },
      };
    } else if (comment === null && isWorkName(datname, project)) {
      item = {
        key: workLock(datname),
        what: { name: datname, kind: 'work', reason: 'left by a process killed while creating it' },
      };
    }
    if (item === undefined) continue;
    const free = await whileUnlocked(client, item.key, async () => {
      if (options.dryRun !== true) await dropDatabase(client, datname);
    });
    if (free) found.push(item.what);
  }
  return found;
}
