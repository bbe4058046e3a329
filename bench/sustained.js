import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, summarize, waitUntilGone } from './lib/harness.js';
import { openBenchProject, writeProject } from './lib/projects.js';

/**
 * Sustained load (issue 17, item 7): WORKERS workers at once (async, in this process, each
 * with its own createDbfast handle and connection, as test workers have) each take CLAIMS
 * databases back to back: clone(), connect, SELECT 1 (on the clock: ready to query), then
 * disconnect and drop it (off the clock, but on the server while the others claim). At most
 * WORKERS clones plus the pool are alive at any time.
 *
 * Then a burst: once the refill has caught up, every worker claims one database at once.
 * That is where a pool sized to demand pays: it grew during the sustained phase and holds a
 * member per worker; a fixed pool of 4 serves 4 and the rest wait for CREATE DATABASE.
 *
 * The ways, one after another, each on a template of its own: a pool sized to demand
 * (`size = 4`, `max = 32`), a fixed pool of 4 (burst only), no pool (every claim is
 * CREATE DATABASE … TEMPLATE). Reported: claim latency p50/p95/p99, how often a claim fell
 * back to CREATE DATABASE because the pool was empty, and the pool's ready members over time.
 * DBFAST_BENCH_SUSTAINED=WxN sets the load (default 32x10, the 32x50 on request; --quick 8x10).
 */
const SIZE = 4;
const MAX = 32;

export async function run(ctx) {
  const [workers, claims] = load(ctx);
  const repository = new URL('../sql', import.meta.url).pathname;
  const ways = [
    { key: 'adaptive', name: `pool, size ${SIZE}, max ${MAX}`, size: SIZE, max: MAX },
    { key: 'fixed', name: `pool, fixed size ${SIZE}`, size: SIZE, sustained: false },
    { key: 'none', name: 'no pool (CREATE DATABASE)', size: 0 },
  ];
  const sustained = [];
  const burst = [];
  for (const way of ways) {
    ctx.progress(`sustained: ${way.name}, ${workers} workers × ${claims} databases, then a burst`);
    const result = await runWay(ctx, way, { workers, claims, repository });
    if (result.sustained !== undefined) sustained.push(measurement(way, result.sustained));
    burst.push(measurement(way, result.burst));
  }
  ctx.report({
    scenario: 'sustained',
    case: `${workers} workers × ${claims} databases each, back to back, ready to query (clone + connect + SELECT 1)`,
    measurements: sustained,
    comparisons: [ratio(sustained, 0, 1, 'p50'), ratio(sustained, 0, 1, 'p99')],
    notes: [
      '"fell back": claims that found the pool empty and ran CREATE DATABASE; "ready": pool members, one figure per second of the run (min..max of the 250 ms samples in it)',
    ],
  });
  ctx.report({
    scenario: 'sustained',
    case: `burst: ${workers} claims at once after the sustained phase (the refill caught up)`,
    measurements: burst,
    comparisons: [ratio(burst, 0, 2, 'p50'), ratio(burst, 1, 2, 'p50')],
    notes: [],
  });
}

/** Workers × claims per worker. */
function load(ctx) {
  const given = process.env.DBFAST_BENCH_SUSTAINED?.match(/^(\d+)x(\d+)$/);
  if (given) return [Number(given[1]), Number(given[2])];
  // The 32 x 50 takes ~10 minutes here (every claim is a CREATE and a DROP on 2
  // cores): DBFAST_BENCH_SUSTAINED=32x50 runs it; a full run measures 32 workers x 10.
  return ctx.quick ? [8, 10] : [32, 10];
}

function measurement(way, { latencies, fallbacks, poolNote }) {
  const fell = way.size > 0 ? ` · fell back ${percent(fallbacks, latencies.length)}` : '';
  return {
    name: way.name,
    role: way.size > 0 ? 'dbfast' : 'baseline',
    note: `p99 ${quantileOf(latencies, 0.99).toFixed(1)} ms${fell}${poolNote}`,
    latencies,
    ...summarize(latencies),
  };
}

/** An info comparison of two ways' latency quantiles (not paired rounds: one long run each). */
function ratio(measurements, a, b, which) {
  const q = which === 'p50' ? 0.5 : 0.99;
  const [x, y] = [measurements[a], measurements[b]];
  return {
    label: `${x.name}: claim ${which} / ${y.name}`,
    kind: 'ratio',
    dbfast: x.name,
    baseline: y.name,
    value:
      which === 'p50' ? x.p50 / y.p50 : quantileOf(x.latencies, q) / quantileOf(y.latencies, q),
    max: Number.POSITIVE_INFINITY,
    gated: false,
    pass: true,
  };
}

async function runWay(ctx, way, { workers, claims, repository }) {
  const { lib, server } = ctx;
  const dir = join(ctx.tmp, `sustained-${way.key}`);
  const configPath = await writeProject(dir, {
    templateName: ctx.name(`u${way.key.slice(0, 1)}`),
    repository,
    poolSize: way.size,
  });
  if (way.max !== undefined)
    await writeFile(configPath, `${await readFile(configPath, 'utf8')}max = ${way.max}\n`);
  const project = openBenchProject(ctx, configPath);
  const template = await lib.ensureTemplate(project);
  const lock = lib.refillLockPath(server.url, template.name);
  if (way.size > 0) await lib.fillPool(project);
  const handles = await Promise.all(
    Array.from({ length: workers }, () =>
      lib.createDbfast({ configPath, databaseUrl: server.url, env: {} }),
    ),
  );
  const claim = async (handle, into) => {
    const started = performance.now();
    const db = await handle.clone();
    const client = await server.connect(db.name);
    await client.query('SELECT 1');
    into.latencies.push(performance.now() - started);
    if (db.fromPool === undefined) into.fallbacks += 1;
    await client.end();
    return db;
  };
  try {
    let sustained;
    if (way.sustained !== false) {
      const sampler = sampleReady(server, template.name, way.size > 0);
      sustained = { latencies: [], fallbacks: 0, poolNote: '' };
      await Promise.all(
        handles.map(async (handle) => {
          for (let i = 0; i < claims; i += 1) await (await claim(handle, sustained)).drop();
        }),
      );
      const samples = await sampler.stop();
      // The refill the last claims started tops the pool up to its target, off the clock.
      await waitUntilGone(lock);
      if (way.size > 0) {
        const [status] = await lib.poolStatus(project);
        sustained.poolNote = ` · target ${status.target} of max ${status.max}, ${status.ready} ready after · ready ${timeline(samples)}`;
      }
    }
    const burst = { latencies: [], fallbacks: 0, poolNote: '' };
    const dbs = await Promise.all(handles.map((handle) => claim(handle, burst)));
    for (const db of dbs) await db.drop();
    return { sustained, burst };
  } finally {
    await Promise.all(handles.map((h) => h.close()));
    await waitUntilGone(lock);
    if (way.size > 0) await lib.drainPool(project);
  }
}

/** Count the template's pool members every 250 ms until stop() (which returns the samples). */
function sampleReady(server, template, active) {
  const samples = [];
  let sampling = active;
  const started = Date.now();
  const loop = (async () => {
    while (sampling) {
      const { rows } = await server.admin.query(
        'SELECT count(*)::int AS n FROM pg_database WHERE starts_with(datname, $1)',
        [`${template}_p`],
      );
      samples.push({ at: Date.now() - started, ready: rows[0].n });
      await sleep(250);
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

/** Ready members per second of the run: "4 0..2 3 …" (one figure, or min..max, per second). */
function timeline(samples) {
  const seconds = new Map();
  for (const { at, ready } of samples) {
    const second = Math.floor(at / 1000);
    const [lo, hi] = seconds.get(second) ?? [ready, ready];
    seconds.set(second, [Math.min(lo, ready), Math.max(hi, ready)]);
  }
  return [...seconds.values()].map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}..${hi}`)).join(' ');
}

function quantileOf(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const percent = (part, whole) => `${((100 * part) / whole).toFixed(0)}% (${part}/${whole})`;
