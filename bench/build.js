import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRepositories, EXCLUDED, psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { openBenchProject, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { onPath, runTool } from './lib/tools.js';

/**
 * Building: each corpus (and the example repository) loaded into a fresh database by dbfast
 * (applyRepository: the template builder's loader) and by `psql -X -q -v ON_ERROR_STOP=1
 * -1 -f …` with the same files in the same order, taking turns. Creating and dropping the
 * fresh database is off the clock for both.
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
  for (const [name, why] of Object.entries(EXCLUDED)) ctx.skip(`build · ${name}`, why);
  const repos = await buildRepositories(ctx.tmp);
  const roles = repos.flatMap((repo) => repo.roles);
  const { rows } = await server.admin.query(
    'SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
    [roles],
  );
  const existed = new Set(rows.map((row) => row.rolname));
  let counter = 0;
  const fresh = async () => {
    const database = ctx.name(`b${++counter}`);
    await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(database)}`);
    return database;
  };
  const drop = (database) => dropDatabase(lib, server.admin, database);
  try {
    for (const repo of repos) {
      const configPath = await writeProject(join(ctx.tmp, `build-${repo.name}`), {
        templateName: ctx.name('b'),
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
      const measurements = await measure(
        [
          {
            name: 'dbfast applyRepository',
            role: 'dbfast',
            prepare: fresh,
            run: (database) => lib.applyRepository(project, { database }),
            cleanup: drop,
          },
          {
            name: psqlName,
            prepare: fresh,
            run: (database) =>
              runTool(server, 'psql', [...args, '-d', database], {
                env: pgoptions === '' ? {} : { PGOPTIONS: pgoptions },
              }),
            cleanup: drop,
          },
        ],
        { warmup: 1, iterations: ctx.iterations(7, 3) },
      );
      const bytes = (await Promise.all(files.map((f) => stat(f.absolutePath)))).reduce(
        (sum, s) => sum + s.size,
        0,
      );
      const notes = repo.singleTransaction
        ? []
        : ['psql runs in autocommit: -1 fails on CREATE INDEX CONCURRENTLY and COMMIT inside DO'];
      if (Object.keys(repo.settings).length > 0) {
        notes.push(`session settings: ${JSON.stringify(repo.settings)} (PGOPTIONS for psql)`);
      }
      ctx.report({
        scenario: 'build',
        case: `${repo.name} (${files.length} files, ${(bytes / 1024).toFixed(0)} kB)`,
        measurements,
        comparisons: [compare('build.corpus_vs_psql', measurements[0], measurements[1])],
        notes,
      });
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
