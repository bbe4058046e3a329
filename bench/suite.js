import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { measureCase } from './lib/case.js';
import { psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { waitUntilGone } from './lib/harness.js';
import { openBenchProject, openHandle, writeProject } from './lib/projects.js';
import { FILES, TESTS, writeSuite } from './lib/suite-files.js';
import { childEnv, onPath } from './lib/tools.js';

/**
 * A realistic test suite (issue 17): `vitest run` of 16 generated test files × 2 workers,
 * each file with its own fresh database of the example repository, four ways (see
 * lib/suite-files.js): dbfast's vitest helper (a pool of size 4, max 16), a suite that shares one
 * database with no isolation (the floor), replay per file (createdb + psql -1 -f) and PGlite
 * per file (loadDataDir). The whole `vitest run` process is on the clock; the one-time work
 * (the template, the shared database, PGlite's data directory) is done before, off it.
 * --quick runs dbfast and the floor only.
 */
/** The dbfast suite's pool: [pool] size and max. */
const POOL = { size: 4, max: FILES };

export async function run(ctx) {
  const { lib, server } = ctx;
  const repository = new URL('../sql', import.meta.url).pathname;
  const configPath = await writeProject(join(ctx.tmp, 'suite-project'), {
    templateName: ctx.name('s'),
    repository,
    poolSize: POOL.size,
  });
  // Sized to demand: the first (warm-up) run's claims find the pool short and raise its
  // target to one member per file, as a suite run again and again does.
  await writeFile(configPath, `${await readFile(configPath, 'utf8')}max = ${POOL.max}\n`);
  const handle = await openHandle(ctx, configPath);
  ctx.progress('suite: building the template and the shared database (once)');
  const template = await handle.ensureTemplate();
  // The dbfast suite's globalSetup starts a refill process when the run ends: it must not run
  // into the next contender's measurement (it tops the pool up for the next dbfast run).
  const quiet = () => waitUntilGone(lib.refillLockPath(server.url, template.name));
  const shared = await handle.clone({ name: ctx.name('s_shared') });
  await handle.close();
  const project = openBenchProject(ctx, configPath);
  const files = await lib.scanRepository(repository, project.environment());
  const env = childEnv(server, {
    SUITE_SHARED_URL: shared.url,
    SUITE_PREFIX: `${server.runId}_`,
    SUITE_PSQL_ARGS: JSON.stringify(await psqlArgs(lib, files, { singleTransaction: true })),
    DBFAST_DATABASE_URL: server.url,
  });

  const variants = ['dbfast', 'floor'];
  if (ctx.quick) ctx.skip('suite · replay and PGlite per file', 'full runs only (minutes)');
  else {
    if ((await onPath('psql')) === undefined) ctx.unavailable('suite · replay', 'no psql');
    else variants.push('replay');
    const dump = await pgliteDump(ctx, files);
    if (dump === undefined) ctx.unavailable('suite · PGlite', 'cannot load @electric-sql/pglite');
    else {
      env.SUITE_PGLITE_DUMP = dump;
      variants.push('pglite');
    }
  }
  const names = {
    dbfast: 'dbfast vitest helper',
    floor: 'shared database (floor)',
    replay: 'replay per file',
    pglite: 'PGlite per file',
  };
  const contenders = [];
  for (const variant of variants) {
    const dir = join(ctx.tmp, `suite-${variant}`);
    const [vitest, ...args] = await writeSuite(dir, variant, { configPath });
    contenders.push({
      name: names[variant],
      role: variant === 'dbfast' ? 'dbfast' : 'baseline',
      // A full pool at the start of each run, as the previous run's refill leaves it.
      prepare: async () => {
        await quiet();
        if (variant === 'dbfast') await lib.fillPool(project);
      },
      run: async () => {
        const result = await execa(process.execPath, [vitest, ...args], {
          cwd: dir,
          env,
          extendEnv: false,
          stdin: 'ignore',
          reject: false,
        });
        if (result.exitCode !== 0)
          throw new Error(`vitest failed:\n${String(result.stdout).slice(-2000)}${result.stderr}`);
        return { note: `${FILES * TESTS} tests` };
      },
    });
  }
  ctx.progress(`suite: ${variants.join(', ')} (${FILES} files × ${TESTS} tests, 2 workers)`);
  const { measurements, comparisons, notes } = await measureCase(
    ctx,
    contenders,
    { warmup: 1, iterations: ctx.iterations(4, 2) },
    (ms) => {
      const by = (name) => ms.find((m) => m.name === name);
      const list = [compare('suite.dbfast_vs_floor', by(names.dbfast), by(names.floor))];
      if (by(names.replay))
        list.push(compare('suite.dbfast_vs_replay', by(names.dbfast), by(names.replay)));
      if (by(names.pglite))
        list.push(compare('suite.dbfast_vs_pglite', by(names.dbfast), by(names.pglite)));
      return list;
    },
  );
  ctx.report({
    scenario: 'suite',
    case: `vitest run, ${FILES} files × ${TESTS} tests, 2 workers, one database per file`,
    measurements,
    comparisons,
    notes,
  });
}

/** PGlite's data directory with the example loaded, dumped once to a file (or undefined). */
async function pgliteDump(ctx, files) {
  const { startPgliteWorker, plainFiles } = await import('./lib/pglite.js');
  const worker = await startPgliteWorker();
  try {
    await worker.call('load', { files: plainFiles(files) });
    const path = join(ctx.tmp, 'suite-pglite.tar');
    await worker.call('dump', { path });
    return path;
  } catch (error) {
    ctx.progress(`PGlite: ${error.message}`);
    return undefined;
  } finally {
    worker.close();
  }
}
