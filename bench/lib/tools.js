import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The dbfast launcher, run as a user runs it. */
export const DBFAST_BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

/**
 * The environment of every child process: ours minus anything that could point a tool at
 * another server (PG*, DATABASE_URL, DBFAST_*), plus the bench server for libpq tools
 * (PGHOST…, PGPASSWORD: never a password on a command line) and for dbfast (DATABASE_URL).
 */
export function childEnv(server, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PG|DATABASE_URL$|DBFAST_)/.test(key)) env[key] = value;
  }
  const p = server.params;
  Object.assign(env, {
    PGHOST: p.host,
    PGPORT: String(p.port),
    PGUSER: p.user,
    PGDATABASE: p.database,
    DATABASE_URL: server.url,
    NO_COLOR: '1',
  });
  if (p.password !== undefined) env.PGPASSWORD = p.password;
  if (p.sslmode !== undefined) env.PGSSLMODE = p.sslmode;
  return { ...env, ...extra };
}

/** Run a program (argument array, no shell) with the bench environment; throws with its stderr. */
export async function runTool(server, file, args, options = {}) {
  const { env = {}, cwd } = options;
  return execa(file, args, {
    env: childEnv(server, env),
    extendEnv: false,
    stdin: 'ignore',
    ...(cwd === undefined ? {} : { cwd }),
  });
}

/** Whether a program is on the PATH (psql, createdb): the baselines need the system clients. */
export async function onPath(file) {
  return execa(file, ['--version'], { stdin: 'ignore' }).then(
    (result) => String(result.stdout).trim(),
    () => undefined,
  );
}
