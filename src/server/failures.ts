import { DbfastError, errorMessage, pgFields } from '../errors.js';

/**
 * What an error a user can meet means, as a DbfastError: PostgreSQL's code, detail and hint
 * kept, file-system errors with their path. Anything this does not recognise is a bug in
 * dbfast (the CLI prints it as one).
 */

/** SQLSTATE classes and codes that mean the session is gone, not that a statement was wrong. */
const LOST_CODES = /^(08...|57P0[123])$/;
/** node-postgres' own words when the socket closes under it (no SQLSTATE). */
const LOST_MESSAGES =
  /Connection terminated|Client has encountered a connection error|ECONNRESET|EPIPE/;

/**
 * Whether the connection died (server restarted or shut down, session terminated, network):
 * nothing the SQL being run did. Such errors are never blamed on a SQL file.
 */
export function isConnectionLost(error: unknown): boolean {
  const code = pgFields(error)?.code ?? (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (LOST_CODES.test(code) || code === 'ECONNRESET')) return true;
  return !(error instanceof DbfastError) && LOST_MESSAGES.test(errorMessage(error));
}

/** The error for a connection that died while `doing` (e.g. "running sql/b.sql"). */
export function connectionLostError(error: unknown, doing: string): DbfastError {
  const pg = pgFields(error);
  return new DbfastError(
    'server.connection_lost',
    `The connection to the server was lost while ${doing}: ${errorMessage(error)}`,
    {
      hint: 'The server restarted or shut down, or the session was terminated. Nothing half-done was kept; run the command again once the server is up.',
      cause: error,
      ...(pg === undefined ? {} : { pg }),
    },
  );
}

const FS_REASONS: Record<string, { reason: string; hint: string }> = {
  ENOSPC: {
    reason: 'no space left on the device',
    hint: 'Free some space there (`dbfast backup prune` removes old backups), or point [backups] dir elsewhere.',
  },
  EDQUOT: {
    reason: 'disk quota exceeded',
    hint: 'Free some space within your quota, or point [backups] dir elsewhere.',
  },
  EACCES: {
    reason: 'permission denied',
    hint: 'Make the folder writable for this user (check its owner and mode), or point the setting elsewhere.',
  },
  EPERM: {
    reason: 'operation not permitted',
    hint: 'Check the owner and mode of the folder, or point the setting elsewhere.',
  },
  EROFS: {
    reason: 'the file system is read-only',
    hint: 'Point the setting at a writable folder.',
  },
};

/**
 * A file-system error (ENOSPC, EACCES, …) as a DbfastError naming the path (the error's own,
 * or `path` for errors that carry none, like a failed write), or undefined.
 */
export function fileSystemError(error: unknown, path?: string): DbfastError | undefined {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown } | null;
  if (typeof e?.code !== 'string') return undefined;
  const known = FS_REASONS[e.code];
  if (known === undefined) return undefined;
  const file = typeof e.path === 'string' ? e.path : path;
  const where = file === undefined ? '' : ` ${file}`;
  const action = typeof e.syscall === 'string' ? ` (${e.syscall})` : '';
  return new DbfastError(
    `fs.${e.code.toLowerCase()}`,
    `Cannot write${where}: ${known.reason}${action}.`,
    { hint: known.hint, cause: error },
  );
}

/** Hints for PostgreSQL errors dbfast users meet, by SQLSTATE. */
const PG_HINTS: Record<string, { code: string; hint: string }> = {
  '42501': {
    code: 'server.permission_denied',
    hint: 'The role lacks a privilege dbfast needs: creating databases needs CREATEDB (ALTER ROLE <name> CREATEDB), or connect as a role that has it.',
  },
  '53300': {
    code: 'server.too_many_clients',
    hint: 'The server has no free connection slots (max_connections); dbfast retried for a while. Close idle sessions, lower the number of parallel workers, or raise max_connections.',
  },
  '53100': {
    code: 'server.disk_full',
    hint: "The server's disk is full: free space there (drop old clones and templates with `dbfast gc`).",
  },
  '23505': {
    code: 'database.exists',
    hint: 'Another process created it at the same moment; choose another name, or pass --force to replace it.',
  },
  '42P04': {
    code: 'database.exists',
    hint: 'Another process created it at the same moment; choose another name, or pass --force to replace it.',
  },
};

/**
 * Map any error a user can meet to a DbfastError: a DbfastError as it is; connection loss;
 * file-system errors; PostgreSQL errors with their code, detail and hint. Undefined for
 * anything else (a bug).
 */
export function describeFailure(error: unknown): DbfastError | undefined {
  if (error instanceof DbfastError) return error;
  if (isConnectionLost(error)) return connectionLostError(error, 'working');
  const fs = fileSystemError(error);
  if (fs !== undefined) return fs;
  const pg = pgFields(error);
  if (pg === undefined) return undefined;
  const known = pg.code === undefined ? undefined : PG_HINTS[pg.code];
  return new DbfastError(known?.code ?? 'server.error', `PostgreSQL: ${errorMessage(error)}`, {
    cause: error,
    pg,
    ...(known === undefined ? {} : { hint: known.hint }),
  });
}
