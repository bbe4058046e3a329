import { join } from 'node:path';
import type { ResolveOptions } from './load.js';
import type { ConnectionParams, ServerTarget } from './types.js';
import { parseConnectionUrl, SSL_MODES } from './url.js';
import type { CheckedFields } from './validate.js';

/** Precedence: --database-url > dbfast.toml [database] > DATABASE_URL / PG* > embedded. */
export function resolveServerTarget(
  database: CheckedFields,
  options: ResolveOptions,
  problems: string[],
): ServerTarget {
  const attempt = (
    source: 'flag' | 'config' | 'env',
    build: () => ConnectionParams,
  ): ServerTarget => {
    try {
      return { kind: 'external', source, connection: build() };
    } catch (error) {
      problems.push(`database: ${(error as Error).message}`);
      return { kind: 'embedded', dir: join(options.rootDir, '.dbfast', 'server') };
    }
  };
  const env = options.env;
  if (options.databaseUrl !== undefined) {
    return attempt('flag', () =>
      parseConnectionUrl(options.databaseUrl as string, '--database-url'),
    );
  }
  const url = database.url as string | undefined;
  const host = database.host as string | undefined;
  const passwordEnv = database.password_env as string | undefined;
  let password: string | undefined;
  if (passwordEnv !== undefined) {
    password = env[passwordEnv];
    if (password === undefined) {
      problems.push(`database.password_env: environment variable ${passwordEnv} is not set`);
    }
  }
  if (url !== undefined || host !== undefined) {
    return attempt('config', () => {
      const params =
        url !== undefined && url !== ''
          ? parseConnectionUrl(url, 'database.url')
          : {
              host: host ?? 'localhost',
              port: 5432,
              user: env.PGUSER ?? env.USER ?? 'postgres',
              database: 'postgres',
            };
      if (database.port !== undefined) params.port = database.port as number;
      if (database.user !== undefined) params.user = database.user as string;
      if (database.database !== undefined) params.database = database.database as string;
      if (database.sslmode !== undefined) params.sslmode = database.sslmode as string;
      if (password !== undefined) params.password = password;
      return params;
    });
  }
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL !== '') {
    return attempt('env', () => parseConnectionUrl(env.DATABASE_URL as string, 'DATABASE_URL'));
  }
  if (env.PGHOST !== undefined && env.PGHOST !== '') {
    const sslmode = env.PGSSLMODE;
    if (sslmode && !(SSL_MODES as readonly string[]).includes(sslmode)) {
      // Fail closed: an unknown mode must never mean "connect without TLS".
      problems.push(
        `PGSSLMODE: expected one of ${SSL_MODES.map((m) => `"${m}"`).join(', ')}, got "${sslmode}"`,
      );
    }
    return attempt('env', () => ({
      host: env.PGHOST as string,
      port: env.PGPORT ? Number(env.PGPORT) : 5432,
      user: env.PGUSER ?? env.USER ?? 'postgres',
      database: env.PGDATABASE ?? 'postgres',
      ...(env.PGPASSWORD ? { password: env.PGPASSWORD } : {}),
      ...(env.PGSSLMODE ? { sslmode: env.PGSSLMODE } : {}),
    }));
  }
  return { kind: 'embedded', dir: join(options.rootDir, '.dbfast', 'server') };
}
