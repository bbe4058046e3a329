import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bigRepository } from './clone.js';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { openHandle, writeProject } from './lib/projects.js';
import { dropDatabase, openBenchServer } from './lib/server.js';

/**
 * Issue 17 item 6: copy-on-write clones (`npm run bench -- --only cow`). On PostgreSQL 18 with
 * the embedded server's data on a reflink file system (XFS with reflink, btrfs, APFS) the
 * server defaults to `file_copy_method = clone` and dbfast clones with FILE_COPY, so a clone
 * costs about the same whatever the template's size. Measured: dbfast's clone() of a >= 1 GB
 * template against the same of the ~10 MB example template, taking turns on one server;
 * reported against the target (1 GB clone <= 2x the 10 MB one), gated at 3x (see
 * thresholds.js). Full runs also measure the
 * same two templates on the run's main server (a data folder that copies) for contrast,
 * reported only.
 *
 * Where: DBFAST_BENCH_REFLINK_DIR (a folder on such a file system; a second embedded server
 * is started in it), else the run's own embedded server when it already clones (its tmpdir is
 * on one). Without either it reports "not available" with how to provide one; run.js never
 * fails --check for that (OPTIONAL_SCENARIOS), since most machines have no such file system.
 * A DBFAST_BENCH_REFLINK_DIR that cannot clone is an error, not "not available".
 */
/** ~1.1 GB: rows of 14 md5s (448 characters, stored inline) and a primary key. */
const BIG_ROWS = 2_200_000;
const ONE_GB = 1024 ** 3;

const HOW =
  'set DBFAST_BENCH_REFLINK_DIR to a folder on XFS with reflink, btrfs or APFS (README: "The embedded server" shows how to make one on Linux from a loop file)';

export async function run(ctx) {
  const where = await reflinkServer(ctx);
  if (where.missing !== undefined) {
    ctx.unavailable('cow', `${where.missing}; ${HOW}`);
    return;
  }
  try {
    await measureSizes(ctx, where.server, {
      gate: 'clone.cow_size_ratio',
      where: `reflink (${where.label})`,
    });
    if (ctx.quick) {
      ctx.skip('cow · plain-copy contrast', 'not measured in --quick (run `npm run bench`)');
    } else if (where.server !== ctx.server) {
      await measureSizes(ctx, ctx.server, {
        gate: 'clone.copy_size_ratio',
        where: `no reflink (the run's ${ctx.server.kind} server)`,
      });
    }
  } finally {
    await where.close?.();
  }
}

/** The server to measure on, or why there is none. */
async function reflinkServer(ctx) {
  const dir = process.env.DBFAST_BENCH_REFLINK_DIR ?? '';
  if (dir === '') {
    if (ctx.server.kind === 'embedded' && ctx.server.info.fileCopyMethod === 'clone') {
      return { server: ctx.server, label: 'the run’s embedded server' };
    }
    return { missing: 'no reflink file system: DBFAST_BENCH_REFLINK_DIR is not set' };
  }
  const tmp = await mkdtemp(join(dir, 'dbfast-bench-cow-'));
  await chmod(tmp, 0o755);
  let server;
  try {
    server = await openBenchServer(ctx.lib, tmp, { embedded: true, runId: ctx.server.runId });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const close = async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  };
  if (server.info.major < 18 || server.info.fileCopyMethod !== 'clone') {
    await close();
    throw new Error(
      server.info.major < 18
        ? `the embedded PostgreSQL is ${server.info.version}: copy-on-write clones need 18+`
        : `DBFAST_BENCH_REFLINK_DIR=${dir} cannot clone files copy-on-write (the embedded server there kept file_copy_method = copy)`,
    );
  }
  return { server, label: `embedded server in ${dir}`, close };
}

/** Build the two templates on `server` and time dbfast's clone of each, in turns. */
async function measureSizes(ctx, server, { gate, where }) {
  const { lib } = ctx;
  const here = { ...ctx, server };
  const tag = gate === 'clone.cow_size_ratio' ? 'w' : 'p';
  const templates = [
    { key: `${tag}b`, repository: await bigRepository(ctx, BIG_ROWS, 14) },
    { key: `${tag}s`, repository: new URL('../sql', import.meta.url).pathname },
  ];
  const handles = [];
  try {
    for (const template of templates) {
      const configPath = await writeProject(join(ctx.tmp, `cow-${template.key}`), {
        templateName: ctx.name(template.key),
        repository: template.repository,
      });
      const handle = await openHandle(here, configPath);
      handles.push(handle);
      ctx.progress(
        `${where}: building the ${template.key.endsWith('b') ? '~1 GB' : 'example'} template (once)`,
      );
      template.built = await handle.ensureTemplate();
      template.handle = handle;
    }
    const [big, small] = templates;
    if (big.built.sizeBytes < ONE_GB) {
      throw new Error(`the big template is ${mb(big.built.sizeBytes)} MB, below 1 GB`);
    }
    let n = 0;
    const contender = (template) => ({
      name: `clone() of the ${mb(template.built.sizeBytes)} MB template`,
      role: template === big ? 'dbfast' : 'baseline',
      run: async () => {
        n += 1;
        const clone = await template.handle.clone({ name: ctx.name(`${template.key}_${n}`) });
        return { name: clone.name, note: `strategy ${clone.strategy}` };
      },
      cleanup: (_state, result) =>
        result === undefined ? undefined : dropDatabase(lib, server.admin, result.name),
    });
    ctx.progress(`${where}: clone() of each template, in turns`);
    const measurements = await measure([contender(big), contender(small)], {
      warmup: 1,
      iterations: gate === 'clone.cow_size_ratio' ? ctx.iterations(7, 5) : 3,
    });
    ctx.report({
      scenario: 'cow',
      case: `${where} · PostgreSQL ${server.info.version} · ${mb(big.built.sizeBytes)} MB vs ${mb(small.built.sizeBytes)} MB`,
      templateBytes: big.built.sizeBytes,
      measurements,
      comparisons: [compare(gate, measurements[0], measurements[1])],
    });
  } finally {
    for (const handle of handles) await handle.close();
    for (const template of templates) {
      if (template.built !== undefined) await dropDatabase(lib, server.admin, template.built.name);
    }
  }
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
