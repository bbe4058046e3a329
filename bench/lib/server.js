import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The server every scenario measures on: the embedded default server, started through the
 * library (openProject on a temporary project, exactly what a user's first `dbfast` does),
 * or the server of DBFAST_BENCH_DATABASE_URL when set. Baselines and dbfast always share it.
 * `options.url` opens another external server (the backup scenario's, see run.js) whose
 * databases carry the same `runId`. `options.embedded` starts an embedded server in `tmp`
 * whatever DBFAST_BENCH_DATABASE_URL says (bench/cow.js: one on a reflink file system).
 *
 * `url` may carry a password (it is what the user gave us): it only ever travels to child
 * processes through their environment and to the library as an option, never on a command
 * line or into the results.
 */
export async function openBenchServer(lib, tmp, options = {}) {
  const external =
    options.embedded === true
      ? undefined
      : (options.url ?? (process.env.DBFAST_BENCH_DATABASE_URL || undefined));
  const dir = join(tmp, options.url === undefined ? 'server-project' : 'server-project-2');
  await mkdir(dir, { recursive: true });
  // The embedded server runs as an unprivileged OS user when we are root: it must get in.
  await chmod(tmp, 0o755);
  const configPath = join(dir, 'dbfast.toml');
  await writeFile(configPath, '[database]\ntemplate_name = "bench"\n');
  const project = lib.openProject({
    configPath,
    env: {},
    ...(external === undefined ? {} : { databaseUrl: external }),
  });
  const params = await project.connection();
  const url = external ?? lib.connectionUrl(params);
  const admin = await connect(params);
  const info = await lib.serverInfo(admin);
  const runId =
    options.runId ?? `bench_${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  return {
    kind: external === undefined ? 'embedded' : 'external',
    params,
    url,
    safeUrl: lib.connectionUrl(params),
    info,
    /** The maintenance connection, open for the whole run (setup, cleanup, raw baselines). */
    admin,
    /** Every database this run makes starts with this (and with `bench_`). */
    runId,
    connect: (database) => connect(params, database),
    async close() {
      await dropRunDatabases(lib, admin, runId);
      await admin.end().catch(() => undefined);
      if (external === undefined) await lib.stopServer(project);
    },
  };
}

async function connect(params, database) {
  const client = new pg.Client({
    host: params.host,
    port: params.port,
    user: params.user,
    password: params.password,
    database: database ?? params.database,
    application_name: 'dbfast-bench',
  });
  // A dropped idle connection must not crash the bench.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Drop one database (template or not), whoever is connected. */
export async function dropDatabase(lib, client, name) {
  const ident = lib.databaseIdent(name);
  const { rows } = await client.query('SELECT datistemplate FROM pg_database WHERE datname = $1', [
    name,
  ]);
  if (rows.length === 0) return;
  if (rows[0].datistemplate) await client.query(`ALTER DATABASE ${ident} WITH IS_TEMPLATE false`);
  await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
}

/** Drop every database of this run: clones, templates, pool members, scratch databases. */
export async function dropRunDatabases(lib, client, runId) {
  const { rows } = await client.query(
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
    [runId],
  );
  for (const { datname } of rows) await dropDatabase(lib, client, datname);
}
