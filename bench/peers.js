import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bigRepository } from './clone.js';
import { measureCase } from './lib/case.js';
import { psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { waitUntilGone } from './lib/harness.js';
import { plainFiles, rowCounts, startPgliteWorker } from './lib/pglite.js';
import { openBenchProject, openHandle, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { onPath, runTool } from './lib/tools.js';

/**
 * What a user would pick instead of dbfast to give a test a fresh database (issue 17): the
 * time until a database is READY AND QUERIED (made, connected to, one count answered), for
 *   dbfast clone()          a createDbfast handle (CREATE DATABASE … TEMPLATE)
 *   dbfast pool claim       the same handle with a pool (a rename)
 *   replay                  createdb + `psql -1 -f` of the repository
 *   PGlite clone()          one PGlite loaded once, `clone()` per database
 *   PGlite loadDataDir      `dumpDataDir` once, `PGlite.create({ loadDataDir })` per database
 * on the example repository, pagila (from DBFAST_CORPUS) and, in full runs, a generated
 * ~130 MB fixture. Also: one-time setup per contender, PGlite's memory, and fidelity (each
 * table's rows against the psql-loaded database; what PGlite could not load as is).
 * PGlite runs in a worker process (lib/pglite-worker.js) driven over IPC.
 */
export async function run(ctx) {
  const repos = [
    {
      key: 'ex',
      label: 'example',
      path: new URL('../sql', import.meta.url).pathname,
      probe: 'SELECT count(*) FROM customer',
    },
  ];
  const corpus = process.env.DBFAST_CORPUS;
  if (corpus === undefined || corpus === '') {
    ctx.unavailable('peers · pagila', 'DBFAST_CORPUS is not set (the folder of the SQL corpora)');
  } else {
    repos.push({
      key: 'pagila',
      label: 'pagila',
      path: await stagedPagila(ctx, corpus),
      probe: 'SELECT count(*) FROM rental',
    });
  }
  if (ctx.quick) ctx.skip('peers · ~130 MB fixture', 'full runs only');
  else {
    repos.push({
      key: 'big',
      label: 'generated ~130 MB',
      path: await bigRepository(ctx),
      probe: 'SELECT count(*) FROM filler',
    });
  }
  const psql = (await onPath('psql')) !== undefined && (await onPath('createdb')) !== undefined;
  if (!psql) ctx.unavailable('peers · replay', 'psql or createdb is not on the PATH');
  for (const repo of repos) await measureRepository(ctx, repo, { psql });
}

async function measureRepository(ctx, repo, { psql }) {
  const { lib, server } = ctx;
  const configPath = await writeProject(join(ctx.tmp, `peers-${repo.key}`), {
    templateName: ctx.name(`pe${repo.key}`),
    repository: repo.path,
    poolSize: 1,
  });
  const project = openBenchProject(ctx, configPath);
  const files = await lib.scanRepository(repo.path, project.environment());
  const handle = await openHandle(ctx, configPath);
  const notes = [];
  const setup = {};
  ctx.progress(`peers · ${repo.label}: one-time setup`);
  const built = await handle.ensureTemplate({ force: true });
  setup['dbfast (template build)'] = built.buildMs;
  let counter = 0;
  const nextName = () => ctx.name(`pe${repo.key}_${++counter}`);
  const drop = (_state, result) =>
    result === undefined ? undefined : dropDatabase(lib, server.admin, result.name);
  const queried = async (name) => {
    const client = await server.connect(name);
    try {
      await client.query(repo.probe);
    } finally {
      await client.end();
    }
  };
  const args = psql ? await psqlArgs(lib, files, { singleTransaction: true }) : [];

  // Fidelity reference: the repository loaded by psql.
  const reference = psql ? await psqlCounts(ctx, args, nextName()) : undefined;
  const fidelity = {};
  {
    const clone = await handle.clone({ name: nextName() });
    const client = await server.connect(clone.name);
    fidelity.dbfast = sameRows(reference, await rowCounts((sql) => client.query(sql)));
    await client.end();
    await dropDatabase(lib, server.admin, clone.name);
  }

  const contenders = [
    {
      name: 'dbfast clone()',
      role: 'dbfast',
      run: async () => {
        const clone = await handle.clone({ name: nextName(), template: built.name });
        await queried(clone.name);
        return { name: clone.name };
      },
      cleanup: drop,
    },
    {
      name: 'dbfast pool claim',
      role: 'dbfast',
      // The previous claim started a refill process: let it finish, off the clock, so that
      // it never overlaps another contender's measurement; then make sure a member is ready.
      prepare: async () => {
        await waitUntilGone(lib.refillLockPath(server.url, built.name));
        await lib.fillPool(project);
      },
      run: async () => {
        const clone = await handle.clone({ name: nextName() });
        await queried(clone.name);
        return { name: clone.name, note: clone.fromPool === undefined ? 'no member' : 'rename' };
      },
      cleanup: drop,
    },
  ];
  if (psql) {
    contenders.push({
      name: 'replay (createdb + psql -1 -f)',
      run: async () => {
        const name = nextName();
        await runTool(server, 'createdb', [name]);
        await runTool(server, 'psql', [...args, '-d', name]);
        await queried(name);
        return { name };
      },
      cleanup: drop,
    });
  }
  const worker = await startPgliteWorker().catch(() => undefined);
  let pglite;
  if (worker !== undefined) {
    pglite = await worker.call('load', { files: plainFiles(files) }).catch((error) => {
      notes.push(`PGlite could not load it: ${error.message}`);
      return undefined;
    });
  }
  if (pglite !== undefined) {
    setup['PGlite (load once)'] = pglite.loadMs;
    setup['PGlite (dumpDataDir)'] = pglite.dumpMs;
    fidelity.PGlite = sameRows(reference, pglite.counts);
    if (pglite.rewrites.length > 0)
      notes.push(`PGlite needed rewrites: ${pglite.rewrites.join('; ')}`);
    contenders.push(
      {
        name: 'PGlite clone()',
        run: () => worker.call('clone', { probe: repo.probe }),
      },
      {
        name: 'PGlite loadDataDir',
        run: () => worker.call('loadDataDir', { probe: repo.probe }),
      },
    );
  }
  ctx.progress(`peers · ${repo.label}: ${contenders.map((c) => c.name).join(', ')}`);
  const big = repo.key === 'big';
  try {
    const {
      measurements,
      comparisons,
      notes: caseNotes,
    } = await measureCase(
      ctx,
      contenders,
      { warmup: 1, iterations: big ? ctx.iterations(5, 2) : ctx.iterations(15, 3) },
      (ms) => {
        const by = (name) => ms.find((m) => m.name === name);
        const clone = by('dbfast clone()');
        const list = [];
        if (by('replay (createdb + psql -1 -f)'))
          list.push(compare('peers.clone_vs_replay', clone, by('replay (createdb + psql -1 -f)')));
        if (by('PGlite clone()')) {
          list.push(compare('peers.clone_vs_pglite_clone', clone, by('PGlite clone()')));
          list.push(compare('peers.clone_vs_pglite_load', clone, by('PGlite loadDataDir')));
        }
        return list;
      },
    );
    const memory = {};
    if (pglite !== undefined) memory.PGlite = (await worker.call('stats')).maxRssMb;
    memory['dbfast / replay'] = built.sizeBytes / 1024 / 1024;
    notes.push(...caseNotes);
    notes.push(`one-time setup (ms): ${formatEntries(setup, 0)}`);
    notes.push(
      `memory (MB): PGlite worker peak RSS ${memory.PGlite?.toFixed(0) ?? '-'}; dbfast and replay: a database of ${memory['dbfast / replay'].toFixed(1)} MB on the server per copy, no client memory`,
    );
    notes.push(`fidelity against psql: ${formatEntries(fidelity)}`);
    ctx.report({
      scenario: 'peers',
      case: `${repo.label}: a ready, queried database`,
      measurements,
      comparisons,
      notes,
      setup,
      memory,
      fidelity,
    });
  } finally {
    worker?.close();
    await handle.close();
  }
}

const formatEntries = (object, digits) =>
  Object.entries(object)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(digits) : v}`)
    .join(', ');

/** Load the repository with psql into a database of its own; its row counts; drop it. */
async function psqlCounts(ctx, args, name) {
  const { lib, server } = ctx;
  await runTool(server, 'createdb', [name]);
  try {
    await runTool(server, 'psql', [...args, '-d', name]);
    const client = await server.connect(name);
    try {
      return await rowCounts((sql) => client.query(sql));
    } finally {
      await client.end();
    }
  } finally {
    await dropDatabase(lib, server.admin, name);
  }
}

/** "same N tables, R rows" or what differs, against the psql-loaded reference. */
function sameRows(reference, counts) {
  if (reference === undefined) return 'no psql reference';
  const tables = new Set([...Object.keys(reference), ...Object.keys(counts)]);
  const differ = [...tables].filter((t) => reference[t] !== counts[t]);
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  if (differ.length === 0) return `same ${tables.size} tables, ${rows} rows`;
  return `${differ.length} of ${tables.size} tables differ (${differ
    .slice(0, 3)
    .map((t) => `${t}: ${counts[t] ?? 'missing'} vs ${reference[t] ?? 'missing'}`)
    .join(', ')})`;
}

/** pagila with its files numbered (name order would put the data before the schema). */
async function stagedPagila(ctx, corpus) {
  const dir = join(ctx.tmp, 'peers-pagila-repo');
  await mkdir(dir, { recursive: true });
  await copyFile(join(corpus, 'pagila', 'pagila-schema.sql'), join(dir, '1_pagila-schema.sql'));
  await copyFile(join(corpus, 'pagila', 'pagila-data.sql'), join(dir, '2_pagila-data.sql'));
  return dir;
}
