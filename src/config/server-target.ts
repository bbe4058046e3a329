import { join } from 'node:path';
import type { SectionValues } from './schema.js';
import type { ConnectionParams, ServerTarget } from './types.js';
import { parseConnectionUrl, SSL_MODES } from './url.js';

type Env = Record<string, string | undefined>;

export interface TargetOptions {
  /** The folder relative paths resolve against (the embedded server lives in it). */
  rootDir: string;
  /** The environment: ${VAR} values, passwords, DATABASE_URL and PG* variables. */
  env: Env;
  /** `--database-url`: wins over dbfast.toml and the environment. */
  databaseUrl?: string | undefined;
}

/** Precedence: --database-url > dbfast.toml [database] > DATABASE_URL / PG* > embedded. */
export function resolveServerTarget(
  database: SectionValues<'database'>,
  options: TargetOptions,
  problems: string[],
): ServerTarget {
  const embedded: ServerTarget = {
    kind: 'embedded',
    dir: join(options.rootDir, '.dbfast', 'server'),
  };
  const attempt = (
    source: 'flag' | 'config' | 'env',
    build: () => ConnectionParams,
  ): ServerTarget => {
    try {
      return { kind: 'external', source, connection: build() };
    } catch (error) {
      problems.push(`database: ${error instanceof Error ? error.message : String(error)}`);
      return embedded;
    }
  };
  const { databaseUrl, env } = options;
  if (databaseUrl !== undefined) {
    return attempt('flag', () => parseConnectionUrl(databaseUrl, '--database-url'));
  }
  const password = configPassword(database, env, problems);
  if (database.url !== undefined || database.host !== undefined) {
    return attempt('config', () => configConnection(database, env, password));
  }
  const { DATABASE_URL: url, PGHOST: host } = env;
  if (url !== undefined && url !== '') {
    return attempt('env', () => parseConnectionUrl(url, 'DATABASE_URL'));
  }
  if (host !== undefined && host !== '') {
    const sslmode = env.PGSSLMODE;
    if (sslmode && !SSL_MODES.some((mode) => mode === sslmode)) {
      // Fail closed: an unknown mode must never mean "connect without TLS".
      problems.push(
        `PGSSLMODE: expected one of ${SSL_MODES.map((m) => `"${m}"`).join(', ')}, got "${sslmode}"`,
      );
    }
    return attempt('env', () => ({
      host,
      port: env.PGPORT ? Number(env.PGPORT) : 5432,
      user: env.PGUSER ?? env.USER ?? 'postgres',
      database: env.PGDATABASE ?? 'postgres',
      ...(env.PGPASSWORD ? { password: env.PGPASSWORD } : {}),
      ...(sslmode ? { sslmode } : {}),
    }));
  }
  return embedded;
}

/** `[database] password_env`'s value; a problem when the variable is not set. */
function configPassword(
  database: SectionValues<'database'>,
  env: Env,
  problems: string[],
): string | undefined {
  const name = database.password_env;
  if (name === undefined) return undefined;
  const password = env[name];
  if (password === undefined) {
    problems.push(`database.password_env: environment variable ${name} is not set`);
  }
  return password;
}

/** `[database]`: a url, or the original DBFast host/port/user/database keys. */
function configConnection(
  database: SectionValues<'database'>,
  env: Env,
  password: string | undefined,
): ConnectionParams {
  const { url, host, port, user, database: name, sslmode } = database;
  const params: ConnectionParams =
    url !== undefined && url !== ''
      ? parseConnectionUrl(url, 'database.url')
      : {
          host: host ?? 'localhost',
          port: 5432,
          user: env.PGUSER ?? env.USER ?? 'postgres',
          database: 'postgres',
        };
  if (port !== undefined) params.port = port;
  if (user !== undefined) params.user = user;
  if (name !== undefined) params.database = name;
  if (sslmode !== undefined) params.sslmode = sslmode;
  if (password !== undefined) params.password = password;
  return params;
}
