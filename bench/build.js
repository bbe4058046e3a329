import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { buildRepositories, corpusMissing, EXCLUDED, psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { loadContenders } from './lib/loaders.js';
import { openBenchProject, writeProject } from './lib/projects.js';
import { onPath } from './lib/tools.js';

/**
 * Building: each corpus (and the example repository) loaded by dbfast and by `psql -X -q
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
        env: pgoptions === '' ? {} : { PGOPTIONS: pgoptions },
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
      ctx.report({
        scenario: 'build',
        case: `${repo.name} (${files.length} files, ${(bytes / 1024).toFixed(0)} kB)`,
        measurements,
        comparisons,
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
