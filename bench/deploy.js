import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { dropDatabase } from './lib/server.js';
import { childEnv } from './lib/tools.js';

/**
 * Issue 16: `dbfast deploy` of a generated template (~130 MB; ~25 MB with --quick) to a
 * database on the same server (the remote is the bench server under another name):
 *   library deployTemplate, no backup   (clone of the template, pg_dump -Fc -Z0 | pg_restore
 *                                        into a scratch database, row counts, rename swap;
 *                                        until it resolves: the clone's DROP comes after)
 *   vs  the same by hand: CREATE DATABASE src TEMPLATE tmpl (pg_dump cannot connect to a
 *       template), CREATE DATABASE target, pg_dump -Fc -Z0 src | pg_restore -d target
 *       (both drop what they made off the clock)
 *   and deployTemplate with its backup first (backup_before_deploy), reported, not gated.
 * pg_dump refuses a server newer than itself: the scenario runs on DBFAST_BENCH_BACKUP_URL
 * when set (CI: the local PostgreSQL 15), as bench/backup.js does; without it, on the bench
 * server, where an older pg_dump makes it "not available".
 */

const ROWS = { full: 650_000, quick: 120_000 };

export async function run(outer) {
  // Like bench/backup.js: the backup server (DBFAST_BENCH_BACKUP_URL, one the installed
  // pg_dump can dump) replaces the bench server for this scenario.
  const backupUrl = process.env.DBFAST_BENCH_BACKUP_URL || undefined;
  const ctx =
    backupUrl === undefined ? outer : { ...outer, server: await outer.openServer(backupUrl) };
  const { lib, server } = ctx;
  if (typeof lib.deployTemplate !== 'function') {
    ctx.unavailable('deploy', 'deployTemplate is not exported by dist/index.js yet');
    return;
  }
  let tools;
  try {
    const where = { major: server.info.major, where: 'the bench server' };
    tools = await lib.deployTools({ template: where, remote: where }, {});
  } catch (error) {
    ctx.unavailable(
      'deploy',
      `${error.message} (set DBFAST_BENCH_BACKUP_URL to a server it can dump)`,
    );
    return;
  }
  const dir = join(ctx.tmp, 'deploy');
  await mkdir(join(dir, 'sql'), { recursive: true });
  const rows = ctx.quick ? ROWS.quick : ROWS.full;
  await writeFile(
    join(dir, 'sql', '001_filler.sql'),
    `CREATE TABLE filler (id bigint PRIMARY KEY, pad text NOT NULL);
INSERT INTO filler SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, ${rows}) AS g;
`,
  );
  const live = ctx.name('dpl');
  const p = server.params;
  const remoteUrl = `postgres://${encodeURIComponent(p.user)}@${p.host}:${p.port}/${live}`;
  const configPath = join(dir, 'dbfast.toml');
  // The password (if any) reaches the remote through password_env, never through the file.
  await writeFile(
    configPath,
    `[database]\ntemplate_name = ${JSON.stringify(ctx.name('dpt'))}\n\n[repository]\npath = "sql"\n\n` +
      `[backups]\ndir = "backups"\n\n[remotes.bench]\nurl = ${JSON.stringify(remoteUrl)}\n` +
      `password_env = "BENCH_REMOTE_PW"\nallow_destructive = true\n`,
  );
  const project = lib.openProject({
    configPath,
    databaseUrl: server.url,
    env: p.password === undefined ? {} : { BENCH_REMOTE_PW: p.password },
  });
  ctx.progress('building the template and deploying once (untimed)');
  const template = await lib.ensureTemplate(project, {});
  const mb = (template.sizeBytes / 1024 / 1024).toFixed(1);
  await lib.deployTemplate(project, { remote: 'bench', replace: true, backup: false });
  const admin = server.admin;
  const ident = lib.databaseIdent;
  let n = 0;
  const fresh = () => ctx.name(`dpc${++n}`);
  // The local clone's DROP (a checkpoint) runs after deployTemplate resolves: it is
  // awaited here, off the clock, as the CLI process awaits it after printing its result.
  const dropPrevious = async (_state, result) => {
    await result?.finished;
    if (result?.previous !== undefined) await dropDatabase(lib, admin, result.previous);
  };
  const env = childEnv(server);
  const measurements = await measure(
    [
      {
        name: 'deployTemplate (no backup)',
        role: 'dbfast',
        run: () => lib.deployTemplate(project, { remote: 'bench', replace: true, backup: false }),
        cleanup: dropPrevious,
      },
      {
        name: 'createdb -T + createdb + pg_dump -Fc -Z0 | pg_restore',
        prepare: () => ({ source: fresh(), target: fresh() }),
        run: async ({ source, target }) => {
          // A template refuses connections: pg_dump can only read a copy of it.
          await admin.query(`CREATE DATABASE ${ident(source)} TEMPLATE ${ident(template.name)}`);
          await admin.query(`CREATE DATABASE ${ident(target)} TEMPLATE template0`);
          const dump = ['-Fc', '-Z', '0', '--no-password', '-d', source];
          const restore = ['--no-owner', '--exit-on-error', '--no-password', '-d', target];
          const options = { env, extendEnv: false };
          await execa(tools.pgDump.path, dump, { ...options, stdin: 'ignore' }).pipe(
            tools.pgRestore.path,
            restore,
            options,
          );
        },
        cleanup: async ({ source, target }) => {
          await dropDatabase(lib, admin, source);
          await dropDatabase(lib, admin, target);
        },
      },
      {
        name: 'deployTemplate (backup first)',
        role: 'dbfast',
        run: () => lib.deployTemplate(project, { remote: 'bench', replace: true }),
        cleanup: dropPrevious,
      },
    ],
    { warmup: 1, iterations: ctx.iterations(3, 2) },
  );
  ctx.report({
    scenario: 'deploy',
    case: `deploy of a ${mb} MB template to the same server`,
    measurements,
    comparisons: [compare('deploy.vs_pipe', measurements[0], measurements[1])],
  });
}
