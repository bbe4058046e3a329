#!/usr/bin/env node
// dbfast benchmarks: `npm run bench` (full) or `npm run bench -- --quick --check` (CI).
// Runs against the BUILT library (dist/): `npm run bench` builds first.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writePeerChart } from './lib/chart.js';
import { formatCase, formatSetting, formatSummary, writeResults } from './lib/report.js';
import { openBenchServer } from './lib/server.js';

/**
 * The scenarios, in the order they run. One file each (bench/<name>.js, exporting
 * `run(ctx)`); a scenario whose file or library functions do not exist yet prints
 * "not available: <reason>" and is skipped.
 */
const SCENARIOS = [
  'clone', //    clone: raw CREATE DATABASE, clone(), pool claim, CLI, createdb -T
  'strategy', // CREATE DATABASE STRATEGY FILE_COPY vs WAL_LOG (src/clone/strategy.ts)
  'parallel', // 32 dbfast clone processes at once vs 32 createdb -T
  'build', //    template build per corpus vs psql -1 -f
  'nochange', // ensureTemplate when nothing changed, 1,000 files
  'watch', //    dbfast watch: file save to ready template vs the rebuild alone
  'load', //     a large CSV vs psql \copy
  'startup', //  dbfast --version vs node -e 0
  'backup', //   issue 7: dbfast backup/restore vs pg_dump/pg_restore (bench/backup.js)
  'snapshot', // issue 16: snapshot restore vs a rename / CREATE DATABASE … TEMPLATE
  'deploy', //   issue 16: dbfast deploy vs pg_dump | pg_restore
  'peers', //    issue 17: a ready, queried database: dbfast vs replay (psql) vs PGlite
  'suite', //    issue 17: vitest run, 16 files x 2 workers: dbfast vs floor, replay, PGlite
  'cow', //      issue 17: 1 GB vs 10 MB clone on a reflink file system (DBFAST_BENCH_REFLINK_DIR)
  'sustained', // issue 17: 32 workers x 50 databases from a pool sized to demand
];

/**
 * Scenarios that need what most machines lack (a reflink file system): --check accepts them
 * "not available" without --allow-unavailable. When they do run, their gates count.
 */
const OPTIONAL_SCENARIOS = ['cow'];

const USAGE = `usage: node bench/run.js [--quick] [--check] [--only clone,build,…]
  --quick   few iterations and small sizes (skips the >= 100 MB template)
  --check   exit 1 when a gate of bench/thresholds.js fails, a scenario breaks, or a part
            is "not available" (a tool, a server or the corpus is missing)
  --allow-unavailable backup,build
            with --check: these scenarios may be "not available" without failing it
            (${OPTIONAL_SCENARIOS.join(', ')} always may: it needs a reflink file system)
  --only    run only these scenarios: ${SCENARIOS.join(', ')}
env: DBFAST_BENCH_DATABASE_URL   measure on this server instead of the embedded one
     DBFAST_BENCH_BACKUP_URL     run the backup scenario on this server (one the installed
                                 pg_dump can dump; default: the server above)
     DBFAST_CORPUS               the folder of SQL corpora for the build scenario
     DBFAST_BENCH_REFLINK_DIR    a folder on XFS with reflink / btrfs / APFS: the cow scenario
                                 starts an embedded PostgreSQL 18 there
     DBFAST_BENCH_SLOWDOWN_MS    add a sleep to dbfast's side of the clone measurement
                                 (proves that the gates fail when dbfast gets slower)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    'allow-unavailable': { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = values.only?.split(',').map((s) => s.trim()) ?? SCENARIOS;
const unknown = only.filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown scenario: ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does).');
  process.exit(2);
}
const lib = { ...(await import('../dist/index.js')), ...(await import('./lib/internals.js')) };

const allowUnavailable = values['allow-unavailable']
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '')
  .concat(OPTIONAL_SCENARIOS);
const slowdownMs = Number(process.env.DBFAST_BENCH_SLOWDOWN_MS ?? 0);
const tmp = await mkdtemp(join(tmpdir(), 'dbfast-bench-'));
const results = [];
const scenarios = [];
let server;
/** Servers opened by scenarios (ctx.openServer), closed at the end. */
const extraServers = new Map();

/** The commit measured (for the chart's caption), or "unknown" outside a git checkout. */
async function commit() {
  const { execa } = await import('execa');
  const result = await execa('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: new URL('..', import.meta.url),
    reject: false,
    stdin: 'ignore',
  });
  return result.exitCode === 0 ? String(result.stdout).trim() : 'unknown';
}

/** Stop here, cleaning up what this run made (databases, the embedded server, tmp). */
async function cleanup() {
  for (const extra of extraServers.values()) {
    await extra.close().catch((error) => console.error(`cleanup: ${error.message}`));
  }
  await server?.close().catch((error) => console.error(`cleanup: ${error.message}`));
  await rm(tmp, { recursive: true, force: true });
}
process.once('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  cleanup().finally(() => process.exit(130));
});

let broken = false;
try {
  server = await openBenchServer(lib, tmp);
  const setting = {
    postgres: server.info.version,
    serverKind: server.kind,
    fsync: server.info.fsync,
    fileCopyMethod: server.info.fileCopyMethod,
    // The clone strategies measured (each clone case also records the one dbfast chose).
    strategies: server.info.major >= 15 && !values.quick ? ['wal_log', 'file_copy'] : ['auto'],
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    dbfast: lib.VERSION,
    node: process.versions.node,
    quick: values.quick,
    slowdownMs,
  };
  console.log(`dbfast bench · ${formatSetting(setting)}`);
  if (slowdownMs > 0)
    console.log(
      `DBFAST_BENCH_SLOWDOWN_MS=${slowdownMs}: dbfast's clones are slowed down on purpose`,
    );

  const ctx = {
    lib,
    server,
    tmp,
    quick: values.quick,
    check: values.check,
    slowdownMs,
    /** Iterations (after warm-up) for this mode. */
    iterations: (full, quick) => (values.quick ? quick : full),
    /** A database name of this run: cleaned up at the end whatever happens. */
    name: (suffix) => `${server.runId}_${suffix}`,
    report(result) {
      results.push(result);
      console.log(formatCase(result));
    },
    /** A part that cannot run yet (a library function or a tool is missing). */
    unavailable(what, reason) {
      console.log(`\n${what}: not available: ${reason}`);
      scenarios.at(-1).skipped.push({ what, reason: `not available: ${reason}` });
    },
    /** A part left out on purpose (--quick, a corpus that cannot load). */
    skip(what, reason) {
      console.log(`\n${what}: skipped: ${reason}`);
      scenarios.at(-1).skipped.push({ what, reason: `skipped: ${reason}` });
    },
    progress: (message) => process.stderr.write(`  … ${message}\n`),
    /**
     * The server at `url` (another external server, e.g. DBFAST_BENCH_BACKUP_URL), opened
     * once, its databases named with this run's id and dropped at the end.
     */
    async openServer(url) {
      if (!extraServers.has(url)) {
        extraServers.set(url, await openBenchServer(lib, tmp, { url, runId: server.runId }));
      }
      return extraServers.get(url);
    },
  };
  for (const name of only) {
    const entry = { name, status: 'ok', skipped: [] };
    scenarios.push(entry);
    const file = new URL(`./${name}.js`, import.meta.url);
    if (!existsSync(file)) {
      entry.status = 'not available';
      ctx.unavailable(name, `bench/${name}.js is not written yet`);
      continue;
    }
    const started = Date.now();
    const reported = results.length;
    try {
      await (await import(file)).run(ctx);
      // Nothing measured and something missing: say so in latest.json, not just "ok".
      if (results.length === reported && entry.skipped.length > 0) entry.status = 'not available';
    } catch (error) {
      broken = true;
      entry.status = 'error';
      entry.error = error instanceof Error ? error.message : String(error);
      console.log(`\n${name}: ERROR: ${entry.error}`);
      if (process.env.DBFAST_BENCH_DEBUG) console.error(error);
    }
    entry.seconds = (Date.now() - started) / 1000;
  }

  const comparisons = results.flatMap((r) =>
    r.comparisons.map((c) => ({ scenario: r.scenario, case: r.case, ...c })),
  );
  const failed = comparisons.filter((c) => c.gated && !c.pass);
  console.log(`\nSummary (${formatSetting(setting)})\n`);
  console.log(formatSummary(results));
  const path = await writeResults(new URL('./results/', import.meta.url), {
    date: new Date().toISOString(),
    command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    setting,
    scenarios,
    results,
    gates: { failed: failed.map((c) => `${c.scenario} · ${c.case} · ${c.label}`) },
  });
  console.log(`\nresults: ${path.pathname}`);
  const chart = await writePeerChart(
    new URL('./results/', import.meta.url),
    results,
    `${new Date().toISOString().slice(0, 10)} · commit ${await commit()} · ${formatSetting(setting)}`,
    { quick: values.quick },
  );
  if (chart !== undefined) console.log(`chart: ${chart.pathname}`);
  if (failed.length > 0) {
    console.log(`\n${failed.length} gate(s) failed:`);
    for (const c of failed) console.log(`  ${c.scenario} · ${c.case} · ${c.label}`);
  }
  if (broken) console.log('\na scenario failed to run (see ERROR above)');
  // A gate that never ran checked nothing: in --check that fails, unless allowed by name.
  const unavailable = scenarios.flatMap((s) =>
    allowUnavailable.includes(s.name)
      ? []
      : s.skipped.filter((k) => k.reason.startsWith('not available')).map((k) => ({ ...k, s })),
  );
  if (values.check && unavailable.length > 0) {
    console.log(
      `\n${unavailable.length} part(s) not available (--allow-unavailable ${[...new Set(unavailable.map((u) => u.s.name))].join(',')} to accept):`,
    );
    for (const u of unavailable) console.log(`  ${u.what}: ${u.reason}`);
  }
  if (values.check) {
    process.exitCode = failed.length > 0 || broken || unavailable.length > 0 ? 1 : 0;
  }
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
