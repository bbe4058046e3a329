import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ConnectionParams } from '../config/types.js';
import { scrubSecret } from '../config/url.js';
import { DbfastError, errorMessage, pgFields, throwIfAborted } from '../errors.js';
import { lockKey, releaseLock, takeLock, tryLock } from './locks.js';

/**
 * Connections, always released. No pool, no module-level state: every helper opens what it
 * needs and closes it in `finally`.
 */

export interface ConnectOptions {
  /** Connect to this database instead of the maintenance database. */
  database?: string;
  /** Milliseconds to wait for the server to answer before giving up. */
  timeoutMs?: number;
  applicationName?: string;
  /** How long to keep retrying when the server has no free connection slot (53300). */
  busyTimeoutMs?: number;
}

/** The pg client configuration for a connection (the password goes here, and nowhere else). */
export function clientConfig(
  params: ConnectionParams,
  options: ConnectOptions = {},
): pg.ClientConfig {
  const ssl = sslOption(params.sslmode);
  return {
    host: params.host,
    port: params.port,
    user: params.user,
    password: params.password,
    database: options.database ?? params.database,
    connectionTimeoutMillis: options.timeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'dbfast',
    ...(ssl === undefined ? {} : { ssl }),
  };
}

function sslOption(mode: string | undefined): pg.ClientConfig['ssl'] {
  switch (mode) {
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      // disable, prefer (node-postgres cannot fall back), or unset: plain connection.
      return undefined;
  }
}

/** Open a connection, mapping connection failures to clear DbfastErrors (no password). */
export async function connect(
  params: ConnectionParams,
  options: ConnectOptions = {},
): Promise<pg.Client> {
  const deadline = Date.now() + (options.busyTimeoutMs ?? BUSY_TIMEOUT_MS);
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const client = new pg.Client(clientConfig(params, options));
    // An idle connection that the server drops (admin shutdown) must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      // 53300 "too many clients": slots free up as other work ends; wait for one.
      if (pgFields(error)?.code !== '53300' || Date.now() >= deadline)
        throw connectionError(error, params, options.database ?? params.database);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}

/** How long connect() keeps retrying "too many clients" (53300) by default. */
const BUSY_TIMEOUT_MS = 60_000;

/** Run `fn` with a fresh connection and always close it. */
export async function withClient<T>(
  params: ConnectionParams,
  fn: (client: pg.Client) => Promise<T>,
  options: ConnectOptions = {},
): Promise<T> {
  const client = await connect(params, options);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Run `fn` inside BEGIN/COMMIT on an open client; ROLLBACK when it throws. */
export async function withTransaction<T>(
  client: pg.Client,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Hold a session-level advisory lock on `key` while `fn` runs, on its own connection (so
 * the lock dies with the process if it crashes). Safe from any number of processes.
 */
export async function withAdvisoryLock<T>(
  params: ConnectionParams,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withClient(params, async (client) => {
    await takeLock(client, lockKey(key));
    try {
      return await fn();
    } finally {
      await releaseLock(client, lockKey(key)).catch(() => undefined);
    }
  });
}

/**
 * Run `fn` on a fresh connection that holds the session-level advisory lock `key`. While
 * another process holds it, this one waits WITHOUT a connection: it tries the lock, closes
 * the connection and sleeps (with backoff and jitter) before trying again, so waiters never
 * fill max_connections and starve the holder. `fn` gets the locked connection to work on.
 */
export async function withPolledAdvisoryLock<T>(
  params: ConnectionParams,
  key: string,
  fn: (client: pg.Client) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    throwIfAborted(signal);
    const outcome = await withClient(params, async (client) => {
      if (!(await tryLock(client, lockKey(key)))) return undefined;
      try {
        return { value: await fn(client) };
      } finally {
        await releaseLock(client, lockKey(key)).catch(() => undefined);
      }
    });
    if (outcome !== undefined) return outcome.value;
    await sleep(delay / 2 + Math.random() * delay);
  }
}

/**
 * Whether nobody holds the advisory lock `key` (taken by withAdvisoryLock): the work it
 * guards belongs to a process that is gone, on whatever machine it ran.
 */
export async function advisoryLockFree(client: pg.Client, key: string): Promise<boolean> {
  if (!(await tryLock(client, lockKey(key)))) return false;
  await releaseLock(client, lockKey(key));
  return true;
}

/**
 * Like withAdvisoryLock, but never waits: when another session holds `key`, return
 * `{ acquired: false }` at once without running `fn`.
 */
export async function withAdvisoryLockIfFree<T>(
  params: ConnectionParams,
  key: string,
  fn: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  return withClient(params, async (client) => {
    if (!(await tryLock(client, lockKey(key)))) return { acquired: false as const };
    try {
      return { acquired: true as const, value: await fn() };
    } finally {
      await releaseLock(client, lockKey(key)).catch(() => undefined);
    }
  });
}

/** Turn a failed connect into an error that says where, why and what to do. */
export function connectionError(
  error: unknown,
  params: ConnectionParams,
  database: string,
): DbfastError {
  const where = `${params.user}@${params.host}:${params.port}/${database}`;
  const fields = pgFields(error);
  const code = (error as { code?: string } | null)?.code;
  const raw = scrubSecret(errorMessage(error), params.password);
  const fail = (key: string, message: string, hint: string): DbfastError =>
    new DbfastError(key, message, { hint, cause: error, ...(fields ? { pg: fields } : {}) });
  switch (fields?.code ?? code) {
    case '28P01':
    case '28000':
      return fail(
        'server.auth_failed',
        `Authentication failed for ${where}: ${raw}.`,
        'Check the user and the password (set it through the variable named by password_env, PGPASSWORD or ~/.pgpass).',
      );
    case '3D000':
      return fail(
        'server.database_missing',
        `Database "${database}" does not exist on ${params.host}:${params.port}.`,
        `Create it (createdb ${database}), or make a copy of the template with \`dbfast clone ${database}\`; or fix the database named in the URL.`,
      );
    case 'ECONNREFUSED':
      return fail(
        'server.unreachable',
        `Cannot connect to ${params.host}:${params.port}: connection refused.`,
        'Is PostgreSQL running there, and listening on that port?',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(
        'server.unreachable',
        `Cannot connect to ${params.host}:${params.port}: no route to the host.`,
        'Check the host name or address, the network and any VPN in between.',
      );
    case 'ETIMEDOUT':
      return fail(
        'server.timeout',
        `Timed out connecting to ${params.host}:${params.port}.`,
        'Check the host, the port and any firewall in between.',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(
        'server.dns',
        `Cannot resolve host "${params.host}".`,
        'Check the host name in the URL.',
      );
    case '53300':
      return fail(
        'server.too_many_clients',
        `The server at ${params.host}:${params.port} has no free connection slot (too many clients), and none freed up while dbfast retried.`,
        'Close idle sessions, lower the number of parallel workers, or raise max_connections on the server.',
      );
    case '57P03':
      return fail(
        'server.starting',
        `The server at ${params.host}:${params.port} is starting up or shutting down.`,
        'Try again in a moment.',
      );
    default:
      // node-postgres' words when the server wants a SCRAM password and none was given.
      if (/client password must be a string/.test(raw)) {
        return fail(
          'server.auth_failed',
          `Authentication failed for ${where}: the server asks for a password and none was given.`,
          'Set the password through the variable named by password_env, PGPASSWORD or ~/.pgpass.',
        );
      }
      if (/timeout/i.test(raw)) {
        return fail(
          'server.timeout',
          `Timed out connecting to ${params.host}:${params.port}.`,
          'Check the host, the port and any firewall in between.',
        );
      }
      return fail(
        'server.connect_failed',
        `Cannot connect to ${where}: ${raw}`,
        'Check the connection settings (dbfast status shows what is used).',
      );
  }
}
