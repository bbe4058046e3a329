import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { sleep } from './lib/harness.js';
import { cliHas, openHandle, runCli, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { onPath, runTool } from './lib/tools.js';

/**
 * Cloning, five ways, taking turns on the same template and server:
 *   raw CREATE DATABASE … TEMPLATE on an open connection   (baseline)
 *   library clone() on a createDbfast handle                 (dbfast)
 *   pool claim: clone() when a ready pool member exists      (dbfast)
 *   `dbfast clone NAME`, a new node process                  (dbfast)
 *   `createdb -T`, the system client                         (baseline)
 * for the example template and a generated >= 100 MB one (full runs only), with STRATEGY
 * WAL_LOG and FILE_COPY (PG15+), so the crossover between the two shows. Clones are dropped
 * off the clock. DBFAST_BENCH_SLOWDOWN_MS adds a sleep to each dbfast contender.
 */

/** Rows of the generated template: ~130 MB with its primary key (DESIGN.md's 127 MB case). */
const BIG_ROWS = 650_000;

export async function run(ctx) {
  if (typeof ctx.lib.createDbfast !== 'function') {
    ctx.unavailable('clone', 'createDbfast is not exported by dist/index.js yet');
    return;
  }
  const tools = {
    cli: await cliHas(ctx, ['clone']),
    createdb: (await onPath('createdb')) !== undefined,
  };
  if (!tools.cli)
    ctx.unavailable('clone · dbfast clone CLI', 'the built CLI has no `clone` command yet');
  if (!tools.createdb) ctx.unavailable('clone · createdb -T', 'createdb is not on the PATH');
  const templates = [
    {
      key: 'ex',
      label: 'example template',
      repository: new URL('../sql', import.meta.url).pathname,
    },
  ];
  if (ctx.quick) {
    ctx.skip(
      'clone · generated >= 100 MB template',
      'not measured in --quick (run `npm run bench`)',
    );
  } else {
    templates.push({
      key: 'big',
      label: 'generated template',
      repository: await bigRepository(ctx),
    });
  }
  for (const template of templates) await measureTemplate(ctx, template, tools);
}

/**
 * A repository of one SQL file that fills a table of `rows` rows (~200 bytes each, with
 * `width` 4 md5s of padding; the default ~130 MB with its primary key): the big template's
 * source.
 */
export async function bigRepository(ctx, rows = BIG_ROWS, width = 4) {
  const dir = join(ctx.tmp, `clone-big-repo-${rows}-${width}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, '001_filler.sql'),
    `CREATE TABLE filler (id bigint PRIMARY KEY, pad text NOT NULL);
INSERT INTO filler SELECT g, repeat(md5(g::text), ${width}) FROM generate_series(1, ${rows}) AS g;
`,
  );
  return dir;
}

async function measureTemplate(ctx, template, tools) {
  const { lib, server } = ctx;
  // Full runs measure both strategies; --quick (CI) the one dbfast chooses by itself (the
  // `strategy` scenario compares the two), which halves its time on a durable server where
  // each FILE_COPY clone costs two checkpoints.
  const strategies = server.info.major >= 15 && !ctx.quick ? ['wal_log', 'file_copy'] : ['auto'];
  const templateName = ctx.name(template.key);
  const base = join(ctx.tmp, `clone-${template.key}`);
  const config = async (name, strategy, poolSize) =>
    writeProject(join(base, name), {
      templateName,
      repository: template.repository,
      strategy,
      poolSize,
    });
  // One template database for all: clone_strategy and the pool are not part of its fingerprint.
  const first = await openHandle(ctx, await config(strategies[0], strategies[0], 0));
  ctx.progress(`building the ${template.label} (once)`);
  const built = await first.ensureTemplate();
  await first.close();
  const mb = (built.sizeBytes / 1024 / 1024).toFixed(1);
  let counter = 0;
  const nextName = () => ctx.name(`${template.key}_c${++counter}`);
  const drop = (_state, result) =>
    result === undefined ? undefined : dropDatabase(lib, server.admin, result.name);
  const slow = () => (ctx.slowdownMs > 0 ? sleep(ctx.slowdownMs) : undefined);

  for (const [index, strategy] of strategies.entries()) {
    const configPath = await config(strategy, strategy, 0);
    const handle = await openHandle(ctx, configPath);
    // One untimed clone: learns the strategy dbfast picks (on PG18 FILE_COPY it adds
    // file_copy_method = clone, and the baselines must do the same to be fair).
    const probe = await handle.clone({ name: nextName() });
    await dropDatabase(lib, server.admin, probe.name);
    const cloneFiles = probe.strategy.endsWith('+clone');
    // With auto, the baselines use the strategy dbfast chose (its label: wal_log,
    // file_copy, file_copy+clone or default).
    const used = strategy === 'auto' ? probe.strategy.split('+')[0] : strategy;
    const clause = used === 'default' ? '' : ` STRATEGY ${used.toUpperCase()}`;
    if (cloneFiles) await server.admin.query('SET file_copy_method = clone');
    const contenders = [
      {
        name: 'raw CREATE DATABASE',
        run: async () => {
          const name = nextName();
          await server.admin.query(
            `CREATE DATABASE ${lib.databaseIdent(name)} TEMPLATE ${lib.databaseIdent(built.name)}${clause}`,
          );
          return { name };
        },
        cleanup: drop,
      },
      {
        name: 'clone()',
        role: 'dbfast',
        run: async () => {
          await slow();
          const clone = await handle.clone({ name: nextName() });
          return { name: clone.name, note: clone.strategy };
        },
        cleanup: drop,
      },
    ];
    if (tools.cli) {
      contenders.push({
        name: 'dbfast clone (CLI)',
        role: 'dbfast',
        run: async () => {
          await slow();
          const name = nextName();
          await runCli(ctx, configPath, ['clone', name]);
          return { name };
        },
        cleanup: drop,
      });
    }
    if (tools.createdb) {
      contenders.push({
        name: 'createdb -T',
        run: async () => {
          const name = nextName();
          const args = ['-T', built.name, ...(used === 'default' ? [] : ['-S', used]), name];
          const env = cloneFiles ? { PGOPTIONS: '-c file_copy_method=clone' } : {};
          await runTool(server, 'createdb', args, { env });
          return { name };
        },
        cleanup: drop,
      });
    }
    // The pool claim is a rename whatever the strategy: measured once per template.
    const pool =
      index === 0 ? await poolContender(ctx, config, built.name, nextName, slow, drop) : undefined;
    if (pool !== undefined) contenders.push(pool.contender);

    const big = template.key === 'big';
    ctx.progress(`cloning the ${template.label} (${strategy})`);
    const comparisonsOf = (measurements) => {
      const by = (name) => measurements.find((m) => m.name === name);
      const list = [compare('clone.library_vs_raw', by('clone()'), by('raw CREATE DATABASE'))];
      if (tools.cli && tools.createdb) {
        list.push(compare('clone.cli_vs_createdb', by('dbfast clone (CLI)'), by('createdb -T')));
      }
      if (pool !== undefined) list.push(compare('clone.pool_claim', by('pool claim')));
      return list;
    };
    const { measurements, comparisons, notes } = await measureCase(
      ctx,
      contenders,
      {
        warmup: big || ctx.quick ? 1 : 2,
        iterations: big ? ctx.iterations(8, 3) : ctx.iterations(30, 8),
      },
      comparisonsOf,
    );
    if (cloneFiles) await server.admin.query('RESET file_copy_method');
    await handle.close();
    await pool?.close();
    if (pool !== undefined && pool.fallbacks() > 0) {
      notes.push(`${pool.fallbacks()} pool claim(s) found no ready member and cloned instead`);
    }
    ctx.report({
      scenario: 'clone',
      case: `${template.label} (${mb} MB) · ${clause.trim() || 'default strategy'}${cloneFiles ? ' (file_copy_method=clone)' : ''}`,
      strategy: probe.strategy,
      templateBytes: built.sizeBytes,
      measurements,
      comparisons,
      notes,
    });
  }
}

/**
 * Claiming a ready clone from the pool: a handle on a project with a pool of one. Each claim
 * makes the handle refill the pool in the background; `prepare` waits (off the clock) until
 * the new member is ready, so the refill never overlaps another contender's measurement.
 */
async function poolContender(ctx, config, template, nextName, slow, drop) {
  const { lib, server } = ctx;
  const handle = await openHandle(ctx, await config('pool', 'wal_log', 1));
  // The first clone finds the pool empty (and clones); its refill makes the first member.
  const first = await handle.clone({ name: nextName() });
  await dropDatabase(lib, server.admin, first.name);
  let fallbacks = 0;
  const contender = {
    name: 'pool claim',
    role: 'dbfast',
    prepare: () => waitForPoolMember(server.admin, `${template}_p`),
    run: async () => {
      await slow();
      const clone = await handle.clone({ name: nextName() });
      if (clone.fromPool === undefined) fallbacks += 1;
      return { name: clone.name, note: clone.fromPool === undefined ? clone.strategy : 'rename' };
    },
    // The claim started a refill in the background: let it finish before anyone else runs.
    cleanup: async (state, result) => {
      await drop(state, result);
      await waitForPoolMember(server.admin, `${template}_p`);
    },
  };
  return { contender, fallbacks: () => fallbacks, close: () => handle.close() };
}

async function waitForPoolMember(admin, prefix, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_database
        WHERE starts_with(datname, $1)
          AND starts_with(shobj_description(oid, 'pg_database'), '{"dbfast":"pool"')`,
      [prefix],
    );
    if (rows[0].n > 0) return;
    await sleep(10);
  }
  throw new Error(`no pool member of ${prefix}* became ready in ${timeoutMs / 1000} s`);
}
