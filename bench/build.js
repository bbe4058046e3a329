import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { buildRepositories, corpusMissing, EXCLUDED, psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { loadContenders } from './lib/loaders.js';
import { openBenchProject, runCli, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { onPath, runTool } from './lib/tools.js';

/**
 * Building, two ways per repository:
 * - the loader: dbfast's applyRepository against psql on the same fresh database;
 * - the whole command a user runs (issue 17): `dbfast template build --force` in a new
 *   process, replacing the template the previous round built (a scratch CREATE DATABASE,
 *   the files, ANALYZE, publishing; the replaced template is dropped off the build's path,
 *   so its drop is waited for off the clock, before the next run), against `createdb` then
 *   `psql -1 -f` (two processes; the database dropped off the clock).
 *
 * Each corpus (and the example repository) loaded by dbfast and by `psql -X -q
 * -v ON_ERROR_STOP=1 -1 -f …` with the same files in the same order, taking turns (see
 * lib/loaders.js for what exactly is on the clock).
 */
export async function run(ctx) {
  const { lib, server } = ctx;
  if (typeof lib.applyRepository !== 'function') {
    ctx.unavailable('build', 'applyRepository is not exported by dist/index.js yet');
    return;
  }
  if ((await onPath('psql')) === undefined) {
    ctx.unavailable('build', 'psql is not on the PATH');
    return;
  }
  const missing = corpusMissing();
  if (missing !== undefined) ctx.unavailable('build · corpora', missing);
  for (const [name, why] of Object.entries(EXCLUDED)) ctx.skip(`build · ${name}`, why);
  const repos = await buildRepositories(ctx.tmp);
  const roles = repos.flatMap((repo) => repo.roles);
  const { rows } = await server.admin.query(
    'SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
    [roles],
  );
  const existed = new Set(rows.map((row) => row.rolname));
  try {
    for (const [index, repo] of repos.entries()) {
      const configPath = await writeProject(join(ctx.tmp, `build-${repo.name}`), {
        templateName: ctx.name(`b${index}`),
        repository: repo.path,
        settings: repo.settings,
      });
      const project = openBenchProject(ctx, configPath);
      const files = await lib.scanRepository(repo.path, project.environment());
      const args = await psqlArgs(lib, files, repo);
      const pgoptions = Object.entries(repo.settings)
        .map(([key, value]) => `-c ${key}=${value.replaceAll(' ', '\\ ')}`)
        .join(' ');
      const psqlName = repo.singleTransaction ? 'psql -1 -f' : 'psql -f (autocommit)';
      ctx.progress(`building ${repo.name}`);
      const contenders = loadContenders(ctx, {
        project,
        args,
        env: psqlEnv(pgoptions),
        psqlName,
        tag: `b${index}_`,
      });
      const { measurements, comparisons, notes } = await measureCase(
        ctx,
        contenders,
        { warmup: 1, iterations: ctx.iterations(7, 3) },
        ([dbfast, psql]) => [compare('build.corpus_vs_psql', dbfast, psql)],
      );
      const bytes = (await Promise.all(files.map((f) => stat(f.absolutePath)))).reduce(
        (sum, s) => sum + s.size,
        0,
      );
      if (!repo.singleTransaction) {
        notes.push(
          'psql runs in autocommit: -1 fails on CREATE INDEX CONCURRENTLY and COMMIT inside DO',
        );
      }
      if (Object.keys(repo.settings).length > 0) {
        notes.push(`session settings: ${JSON.stringify(repo.settings)} (PGOPTIONS for psql)`);
      }
      const label = `${repo.name} (${files.length} files, ${(bytes / 1024).toFixed(0)} kB)`;
      ctx.report({ scenario: 'build', case: label, measurements, comparisons, notes });
      ctx.progress(`building ${repo.name} with the CLI`);
      const full = await measureCase(
        ctx,
        cliContenders(ctx, { configPath, args, env: psqlEnv(pgoptions), psqlName, index }),
        { warmup: 1, iterations: ctx.iterations(5, 3) },
        ([dbfast, psql]) => [compare('build.cli_vs_psql', dbfast, psql)],
      );
      ctx.report({ scenario: 'build', case: `${label} · whole command`, ...full });
    }
  } finally {
    // Cluster-wide roles a corpus made: drop the ones that were not there before.
    for (const role of roles.reverse()) {
      if (existed.has(role)) continue;
      await server.admin
        .query(`DROP ROLE IF EXISTS ${lib.quoteIdent(role)}`)
        .catch(() => undefined);
    }
  }
}

function psqlEnv(pgoptions) {
  return pgoptions === '' ? {} : { PGOPTIONS: pgoptions };
}

/**
 * `dbfast template build --force` (the CLI, replacing the previous round's template) and
 * `createdb` + psql into a new database. dbfast's replaced template is dropped by the server
 * after the command has returned; its cleanup waits for that drop (off the clock), so it
 * never lands in the next contender's run.
 */
function cliContenders(ctx, { configPath, args, env, psqlName, index }) {
  const { lib, server } = ctx;
  const templateName = ctx.name(`b${index}`);
  let counter = 0;
  return [
    {
      name: 'dbfast template build --force (CLI)',
      role: 'dbfast',
      run: () => runCli(ctx, configPath, ['template', 'build', '--force']),
      cleanup: () => retiredGone(server.admin, templateName),
    },
    {
      name: `createdb + ${psqlName}`,
      prepare: () => ctx.name(`b${index}_c${++counter}`),
      run: async (database) => {
        await runTool(server, 'createdb', [database]);
        await runTool(server, 'psql', [...args, '-d', database], { env });
      },
      cleanup: (database) => dropDatabase(lib, server.admin, database),
    },
  ];
}

/** Wait until no replaced template of `templateName` is waiting for its drop. */
async function retiredGone(admin, templateName, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rowCount } = await admin.query(
      `SELECT 1 FROM pg_database
        WHERE starts_with(shobj_description(oid, 'pg_database'), '{"dbfast":"build"')
          AND starts_with(shobj_description(oid, 'pg_database')::json->>'template', $1)`,
      [templateName],
    );
    if (rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
