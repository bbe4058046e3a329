import { parse } from 'pg-connection-string';
import { usageError } from '../errors.js';
import type { ConnectionParams } from './types.js';

/**
 * Connection URLs in and out. The only place that turns a URL into ConnectionParams and
 * back, and the only place that knows how a password is hidden: `redactUrl` and
 * `connectionUrl` never include one.
 */

const REDACTED = '****';

/** The sslmode values libpq and the `[database] sslmode` key accept. */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** Stands in for libpq's empty host (`postgres://user@/db?host=/socket`), which URL rejects. */
const EMPTY_HOST = 'dbfast-empty-host.invalid';

/**
 * The URL parsed by the WHATWG parser (the authority ends at the LAST `@`, as libpq reads
 * it), or undefined when it does not parse cleanly. libpq's empty host is accepted.
 */
function whatwg(url: string): { url: URL; emptyHost: boolean } | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return undefined;
  const rest = url.slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const emptyHost = authority.endsWith('@');
  const text = emptyHost
    ? `${scheme}${authority}${EMPTY_HOST}${authorityEnd === -1 ? '' : rest.slice(authorityEnd)}`
    : url;
  try {
    return { url: new URL(text), emptyHost };
  } catch {
    return undefined;
  }
}

/** Parse `postgres://user:password@host:port/db?sslmode=…` into ConnectionParams. */
export function parseConnectionUrl(url: string, where = 'the connection URL'): ConnectionParams {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw usageError(
      'config.bad_url',
      `${where} must start with postgres:// or postgresql://, got "${redactUrl(url)}".`,
      'Example: postgres://user@localhost:5432/postgres',
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    if (whatwg(url) === undefined) throw new Error('not a valid URL');
    parsed = parse(url, { useLibpqCompat: true });
  } catch {
    // Neither the URL nor the parser's message is printed: either may hold the password.
    throw usageError(
      'config.bad_url',
      `${where} is not a valid URL (not shown: it may contain a password).`,
      'Check it, and percent-encode special characters in the user name and password (@ as %40, / as %2F, : as %3A).',
    );
  }
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw usageError('config.bad_url', `${where} has an invalid port "${parsed.port}".`);
  }
  const sslmode = typeof parsed.sslmode === 'string' ? parsed.sslmode : undefined;
  if (sslmode !== undefined && !SSL_MODES.some((mode) => mode === sslmode)) {
    // libpq refuses an unknown sslmode; silently connecting without TLS would fail open.
    throw usageError(
      'config.bad_url',
      `${where} has an invalid sslmode "${sslmode}"; expected one of ${SSL_MODES.map((m) => `"${m}"`).join(', ')}.`,
    );
  }
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

/**
 * Hide the password of a URL (keeps everything else, so errors stay useful). Parsed with the
 * WHATWG parser, so a password containing `@` is hidden whole; a URL that does not parse is
 * not shown at all.
 */
export function redactUrl(url: string): string {
  const parsed = whatwg(url);
  if (parsed === undefined) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
    return `${scheme}<URL not shown: it does not parse>`;
  }
  const { url: u, emptyHost } = parsed;
  if (u.password !== '') u.password = REDACTED;
  for (const key of [...u.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') u.searchParams.set(key, REDACTED);
  }
  const text = u.href;
  return emptyHost ? text.replace(EMPTY_HOST, '') : text;
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

/** Remove every occurrence of a secret from a text (child process output, error messages). */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length === 0) return text;
  return text.split(secret).join(REDACTED).split(encodeURIComponent(secret)).join(REDACTED);
}
