import { parse } from 'pg-connection-string';
import type { ConnectionParams } from '../config/types.js';
import { usageError } from '../errors.js';

/**
 * Connection URLs in and out. The only place that turns a URL into ConnectionParams and
 * back, and the only place that knows how a password is hidden: `redactUrl` and
 * `connectionUrl` never include one.
 */

const REDACTED = '****';

/** Parse `postgres://user:password@host:port/db?sslmode=…` into ConnectionParams. */
export function parseConnectionUrl(url: string, where = 'the connection URL'): ConnectionParams {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw usageError(
      'config.bad_url',
      `${where} must start with postgres:// or postgresql://, got "${redactUrl(url)}".`,
      'Example: postgres://user@localhost:5432/postgres',
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url, { useLibpqCompat: true });
  } catch (cause) {
    throw usageError(
      'config.bad_url',
      `${where} is not a valid URL: "${redactUrl(url)}".`,
      String(cause),
    );
  }
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw usageError('config.bad_url', `${where} has an invalid port "${parsed.port}".`);
  }
  const sslmode = typeof parsed.sslmode === 'string' ? parsed.sslmode : undefined;
  return {
    host: parsed.host || 'localhost',
    port,
    user: parsed.user || defaultUser(),
    password: parsed.password || undefined,
    database: parsed.database || 'postgres',
    ...(sslmode === undefined ? {} : { sslmode }),
  };
}

function defaultUser(): string {
  return process.env.PGUSER ?? process.env.USER ?? 'postgres';
}

/** Hide the password of a URL (keeps everything else, so errors stay useful). */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, `$1:${REDACTED}@`)
    .replace(/([?&]password=)[^&#]*/i, `$1${REDACTED}`);
}

/**
 * The URL of a database on a server, WITHOUT its password: safe to print, and the form
 * dbfast hands out for clones (libpq and pg find the password through PGPASSWORD / .pgpass,
 * or the server needs none, as the embedded one does).
 */
export function connectionUrl(
  params: ConnectionParams,
  database: string = params.database,
): string {
  const host =
    params.host.includes(':') && !params.host.startsWith('/') ? `[${params.host}]` : params.host;
  const user = encodeURIComponent(params.user);
  const db = encodeURIComponent(database);
  const query = params.sslmode === undefined ? '' : `?sslmode=${params.sslmode}`;
  if (host.startsWith('/')) {
    return `postgres://${user}@/${db}?host=${encodeURIComponent(host)}${query.replace('?', '&')}`;
  }
  return `postgres://${user}@${host}:${params.port}/${db}${query}`;
}

/** A URL with the password in it, for a program the user runs themselves. Never print it. */
export function connectionUrlWithPassword(params: ConnectionParams, database?: string): string {
  const base = connectionUrl(params, database);
  if (params.password === undefined) return base;
  return base.replace('@', `:${encodeURIComponent(params.password)}@`);
}

/** Remove every occurrence of a secret from a text (child process output, error messages). */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length === 0) return text;
  return text.split(secret).join(REDACTED).split(encodeURIComponent(secret)).join(REDACTED);
}
