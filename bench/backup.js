import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { runCli } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { runTool } from './lib/tools.js';

/**
 * Issue 7: backup and restore of a generated database (>= 100 MB, --quick included),
 * dbfast against the PostgreSQL tools it wraps, with the same options, taking turns:
 *   backup   library createBackup (pg_dump -Fc, sha256 of the archive, pg_restore -l,
 *            manifest, rename into place)      vs  pg_dump -Fc -f FILE
 *            `dbfast backup --db` (a new node process, reported, not gated)
 *   restore  library restoreBackup into a new database (checksum check, CREATE DATABASE,
 *            pg_restore -j N, rename)           vs  CREATE DATABASE + pg_restore -j N
 *            --no-owner --exit-on-error
 * pg_dump refuses a server newer than itself, so with the embedded PostgreSQL 18 and an
 * older pg_dump the scenario is not available (which fails --check): point
 * DBFAST_BENCH_BACKUP_URL at a server the installed pg_dump can dump (.ci/run does).
 */

/**
 * Rows of the generated table: ~130 MB with its primary key (the clone scenario's size),
 * in --quick too: the 1.05x targets are about a database of that size, and on a 30 MB one
 * dbfast's fixed costs (checksum, pg_restore -l, manifest) alone measured 1.6x.
 */
const ROWS = 650_000;

export async function run(outer) {
  // The backup server (DBFAST_BENCH_BACKUP_URL) replaces the bench server for this scenario.
  const backupUrl = process.env.DBFAST_BENCH_BACKUP_URL || undefined;
  const ctx =
    backupUrl === undefined ? outer : { ...outer, server: await outer.openServer(backupUrl) };
  const { lib, server } = ctx;
  if (typeof lib.createBackup !== 'function') {
    ctx.unavailable('backup', 'createBackup is not exported by dist/index.js yet');
    return;
  }
  let tools;
  try {
    const pgDump = await lib.findPgTool('pg_dump', [
      { major: server.info.major, purpose: `dump PostgreSQL ${server.info.version}` },
    ]);
    const pgRestore = await lib.findPgTool('pg_restore', [
      { major: pgDump.major, purpose: `read archives of pg_dump ${pgDump.version}` },
    ]);
    tools = { pgDump, pgRestore };
  } catch (error) {
    ctx.unavailable(
      'backup',
      `${error.message} (set DBFAST_BENCH_BACKUP_URL to a server it can dump)`,
    );
    return;
  }
  const source = ctx.name('bks');
  const mb = await fill(ctx, source, ROWS);
  const dir = join(ctx.tmp, 'backup');
  await mkdir(dir, { recursive: true });
  const configPath = join(dir, 'dbfast.toml');
  // No url: the library gets the bench server as databaseUrl, the CLI as DATABASE_URL.
  await writeFile(
    configPath,
    `[database]\ntemplate_name = ${JSON.stringify(ctx.name('bkt'))}\n\n[backups]\ndir = "backups"\n`,
  );
  const project = lib.openProject({ configPath, databaseUrl: server.url, env: {} });
  const iterations = ctx.iterations(3, 2);
  await measureBackup(ctx, { project, configPath, source, tools, mb, iterations });
  await measureRestore(ctx, { project, source, tools, mb, iterations });
}

/** A database with one ~200-byte-per-row table and its primary key; returns its size in MB. */
export async function fill(ctx, name, rows) {
  const { lib, server } = ctx;
  ctx.progress(`generating a ${rows.toLocaleString('en')}-row database`);
  await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(name)}`);
  const client = await server.connect(name);
  try {
    await client.query(`CREATE TABLE filler (id bigint PRIMARY KEY, pad text NOT NULL);
      INSERT INTO filler SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, ${rows}) g;`);
    await client.query('VACUUM ANALYZE filler');
    const { rows: size } = await client.query('SELECT pg_database_size(current_database()) AS b');
    return Math.round(Number(size[0].b) / 1024 / 1024);
  } finally {
    await client.end();
  }
}

async function measureBackup(ctx, { project, configPath, source, tools, mb, iterations }) {
  const { lib, server } = ctx;
  const out = join(ctx.tmp, 'backup', 'raw.dump');
  const backups = join(ctx.tmp, 'backup', 'backups');
  ctx.progress('backup: dbfast vs pg_dump');
  const { measurements, comparisons, notes } = await measureCase(
    ctx,
    [
      {
        name: 'dbfast backup (library)',
        role: 'dbfast',
        run: () => lib.createBackup(project, { db: source }),
        cleanup: () => rm(backups, { recursive: true, force: true }),
      },
      {
        name: 'pg_dump -Fc',
        run: () =>
          runTool(server, tools.pgDump.path, ['-Fc', '-f', out, '--no-password', '-d', source]),
        cleanup: () => rm(out, { force: true }),
      },
      {
        name: 'dbfast backup (CLI)',
        role: 'dbfast',
        run: () => runCli(ctx, configPath, ['backup', '--db', source]),
        cleanup: () => rm(backups, { recursive: true, force: true }),
      },
    ],
    { warmup: 1, iterations },
    ([dbfast, pgDump]) => [compare('backup.dump_vs_pg_dump', dbfast, pgDump)],
  );
  ctx.report({
    scenario: 'backup',
    case: `backup, custom format, ${mb} MB database`,
    measurements,
    comparisons,
    notes,
  });
}

async function measureRestore(ctx, { project, source, tools, mb, iterations }) {
  const { lib, server } = ctx;
  // One archive for both contenders, made by dbfast off the clock.
  const made = await lib.createBackup(project, { db: source });
  const archive = join(made.dir, made.manifest.archive);
  // dbfast's default restore parallelism (with [backups] jobs unset): the baseline gets it too.
  const jobs = Math.min(4, availableParallelism());
  let n = 0;
  const target = () => {
    n += 1;
    return ctx.name(`bkr${n}`);
  };
  const drop = (name) => dropDatabase(lib, server.admin, name);
  ctx.progress(`restore: dbfast vs pg_restore -j ${jobs}`);
  const { measurements, comparisons, notes } = await measureCase(
    ctx,
    [
      {
        name: 'dbfast restore (library)',
        role: 'dbfast',
        prepare: target,
        run: (to) => lib.restoreBackup(project, { id: made.id, to, jobs }),
        cleanup: drop,
      },
      {
        name: `createdb + pg_restore -j ${jobs}`,
        prepare: target,
        run: async (to) => {
          await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(to)} TEMPLATE template0`);
          const args = ['--no-owner', '--exit-on-error', '--no-password', '-j', String(jobs)];
          await runTool(server, tools.pgRestore.path, [...args, '-d', to, archive]);
        },
        cleanup: drop,
      },
    ],
    { warmup: 1, iterations },
    ([dbfast, pgRestore]) => [compare('backup.restore_vs_pg_restore', dbfast, pgRestore)],
  );
  ctx.report({
    scenario: 'backup',
    case: `restore into a new database, ${mb} MB database`,
    measurements,
    comparisons,
    notes,
  });
}
