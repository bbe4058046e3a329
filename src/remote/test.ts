import { DbfastError, isDbfastError } from '../errors.js';
import type { Project } from '../project.js';
import { connect } from '../server/connection.js';
import { serverInfo } from '../server/info.js';
import { findPgTool } from '../server/pg-tools.js';
import { getRemote, type RemoteSummary, summarizeRemote } from './remotes.js';

/**
 * `dbfast remote test NAME`: connect for real and say what a backup or restore would meet
 * there. Connection failures come back as the DbfastErrors of connectionError (DNS, refused,
 * timeout, authentication, missing database), never with the password in them.
 */

export interface RemoteTestReport {
  remote: RemoteSummary;
  server: { version: string; major: number };
  /** Time to open the connection (TCP, TLS, authentication). */
  connectMs: number;
  /** Median round trip of `SELECT 1`. */
  latencyMs: number;
  currentUser: string;
  superuser: boolean;
  createdb: boolean;
  databaseSizeBytes: number;
  tls: { enabled: boolean; version: string | undefined; cipher: string | undefined };
  pgDump: {
    ok: boolean;
    path: string | undefined;
    version: string | undefined;
    /** Why the pg_dump found cannot dump this server, and what to install. */
    problem: string | undefined;
  };
}

export async function testRemote(
  project: Project,
  name: string,
  options: { timeoutMs?: number | undefined } = {},
): Promise<RemoteTestReport> {
  const remote = getRemote(project.config, name);
  const summary = summarizeRemote(remote);
  const started = performance.now();
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(remote.connection, { timeoutMs: options.timeoutMs ?? 10_000 });
  } catch (error) {
    if (isDbfastError(error) && error.code === 'server.auth_failed' && !summary.passwordSet) {
      const where = remote.passwordEnv
        ? `the environment variable ${remote.passwordEnv} (password_env) is not set`
        : 'no password is configured';
      throw new DbfastError(error.code, error.message, {
        hint: `${where}: set password_env on [remotes.${name}] and export that variable.`,
        cause: error,
        ...(error.pg === undefined ? {} : { pg: error.pg }),
      });
    }
    throw error;
  }
  try {
    const connectMs = performance.now() - started;
    const rounds: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await client.query('SELECT 1');
      rounds.push(performance.now() - t);
    }
    const info = await serverInfo(client);
    const { rows } = await client.query<{
      size: string;
      ssl: boolean | null;
      version: string | null;
      cipher: string | null;
    }>(
      `SELECT pg_database_size(current_database()) AS size, s.ssl, s.version, s.cipher
         FROM (SELECT 1) one LEFT JOIN pg_stat_ssl s ON s.pid = pg_backend_pid()`,
    );
    const row = rows[0];
    return {
      remote: summary,
      server: { version: info.version, major: info.major },
      connectMs: Math.round(connectMs * 10) / 10,
      latencyMs: Math.round(median(rounds) * 100) / 100,
      currentUser: info.currentUser,
      superuser: info.superuser,
      createdb: info.createdb,
      databaseSizeBytes: Number(row?.size ?? 0),
      tls: {
        enabled: row?.ssl === true,
        version: row?.version ?? undefined,
        cipher: row?.cipher ?? undefined,
      },
      pgDump: await pgDumpFor(project, info.major, info.version, remote.connection.host),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgDumpFor(
  project: Project,
  major: number,
  version: string,
  host: string,
): Promise<RemoteTestReport['pgDump']> {
  try {
    const tool = await findPgTool(
      'pg_dump',
      [{ major, purpose: `dump PostgreSQL ${version} at ${host}` }],
      { binDir: project.config.server.binDir },
    );
    return { ok: true, path: tool.path, version: tool.version, problem: undefined };
  } catch (error) {
    if (!isDbfastError(error)) throw error;
    return {
      ok: false,
      path: undefined,
      version: undefined,
      problem: `${error.message}${error.hint === undefined ? '' : ` ${error.hint}`}`,
    };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
