import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { lockWork, workName } from '../catalog/work.js';
import type { ConnectionParams } from '../config/types.js';
import { connect } from '../server/connection.js';
import { databaseIdent } from '../server/identifiers.js';

/**
 * Retiring the template a forced or expired rebuild replaces, off the build's path.
 *
 * Dropping a database waits for a checkpoint (0.4-0.7 s of a small build on a durable
 * server), and nothing needs the old template once the new one is published. So publishing
 * renames it to a work name of the project, labelled `build` with `retired: true` and the
 * work lock of that name, in the publishing transaction; a session of its own that holds
 * that lock (taken before the rename) then sends the DROP and hangs up as soon as the
 * server has started it: the server finishes it alone, and the session's lock goes when it
 * does. The build returns without waiting.
 *
 * Crash-safe: if the drop never runs or fails (the process dies before sending it, the
 * server stops), the retired template is a labelled work database whose lock is free, and
 * the next build or `dbfast gc` drops it (catalog/work.ts abandonedWork). While the drop
 * runs, its lock is held, so nothing else touches it.
 */
export interface Retirement {
  /** The work name the replaced template is renamed to. */
  name: string;
  client: pg.Client;
  /** The retiring session's backend pid, to see when the server has taken the DROP. */
  pid: number;
}

/**
 * Open the session that will drop the replaced template and take the work lock of its
 * future name. Timeouts a role or database may set are turned off for it: a DROP cut short
 * only leaves work for gc, but it should not happen for nothing.
 */
export async function openRetirement(
  params: ConnectionParams,
  project: string,
  serverMajor: number,
): Promise<Retirement> {
  const name = workName(project);
  const client = await connect(params, { applicationName: 'dbfast retire' });
  try {
    const settings = ['statement_timeout', 'lock_timeout'];
    if (serverMajor >= 14)
      settings.push('idle_session_timeout', 'client_connection_check_interval');
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pg_backend_pid() AS pid, ${settings.map((s) => `set_config('${s}', '0', false)`).join(', ')}`,
    );
    await lockWork(client, name);
    return { name, client, pid: Number(rows[0]?.pid) };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** Close a retirement that was not needed (the build failed): its lock goes with it. */
export async function closeRetirement(retirement: Retirement): Promise<void> {
  await retirement.client.end().catch(() => undefined);
}

/**
 * Send the DROP of the retired template and return once the server is running it (or it is
 * done): `observer` (another open session) watches the retiring session's state. Then the
 * retiring session is closed from our side; the server finishes the statement regardless.
 * Never throws: whatever goes wrong leaves a labelled leftover for gc or the next build.
 */
export async function dropRetired(
  retirement: Retirement,
  observer: pg.Client,
  serverMajor: number,
): Promise<void> {
  const { client, name, pid } = retirement;
  // No one can connect to it (it was a template); FORCE only guards against a stray session.
  const force = serverMajor >= 13 ? ' WITH (FORCE)' : '';
  let settled = false;
  void client
    .query(`DROP DATABASE IF EXISTS ${databaseIdent(name)}${force}`)
    .catch(() => undefined)
    .finally(() => {
      settled = true;
    });
  try {
    // Until the server has read the statement (its session is no longer idle: `active`, or
    // not shown where track_activities is off), or it is done. At most 2 s.
    const deadline = Date.now() + 2_000;
    while (!settled && Date.now() < deadline) {
      const { rows } = await observer.query<{ idle: boolean }>(
        "SELECT state IS NOT DISTINCT FROM 'idle' AS idle FROM pg_stat_activity WHERE pid = $1",
        [pid],
      );
      if (rows[0]?.idle !== true) break;
      await sleep(5);
    }
  } catch {
    // The observer failed: hanging up now at worst leaves the drop to gc.
  }
  await client.end().catch(() => undefined);
}
