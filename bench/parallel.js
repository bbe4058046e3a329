import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { openHandle, writeProject } from './lib/projects.js';
import { childEnv, DBFAST_BIN, onPath } from './lib/tools.js';

/**
 * 32 clone requests at once, each from its own process (`dbfast clone` as 32 test workers
 * would run it), against the example template; beside it, 32 `createdb -T` at once. The
 * issue's target is zero failures: any failed request fails the scenario (and --check).
 * The wall time of the burst is reported as a ratio, not gated: on 2 cores it mostly
 * measures process start-up.
 */
const EXAMPLE = fileURLToPath(new URL('../sql/', import.meta.url));
const PARALLEL = 32;

export async function run(ctx) {
  const dir = join(ctx.tmp, 'parallel');
  const repository = join(dir, 'sql');
  await cp(EXAMPLE, repository, { recursive: true });
  const configPath = await writeProject(dir, { templateName: ctx.name('par'), repository });
  const handle = await openHandle(ctx, configPath);
  const template = (await handle.ensureTemplate()).name;
  const hasCreatedb = (await onPath('createdb')) !== undefined;
  let round = 0;
  let failures = 0;
  const made = [];
  const burst = async (start) => {
    round += 1;
    const names = Array.from({ length: PARALLEL }, (_, i) => ctx.name(`p${round}_${i}`));
    made.push(...names);
    const runs = await Promise.all(
      names.map((name) =>
        start(name).then(
          (r) => r,
          (error) => error,
        ),
      ),
    );
    const failed = runs.filter((r) => r.exitCode !== 0);
    failures += failed.length;
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${PARALLEL} requests failed: ${String(failed[0].stderr ?? failed[0].message).slice(0, 300)}`,
      );
  };
  const drop = async () => {
    const names = made.splice(0);
    const client = await ctx.server.connect();
    try {
      for (const name of names)
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  const env = childEnv(ctx.server);
  try {
    const contenders = [
      {
        name: `${PARALLEL} x dbfast clone (processes)`,
        role: 'dbfast',
        run: () =>
          burst((name) =>
            execa('node', [DBFAST_BIN, 'clone', name, '--config', configPath], {
              env,
              extendEnv: false,
              stdin: 'ignore',
            }),
          ),
        cleanup: drop,
      },
    ];
    if (hasCreatedb) {
      contenders.push({
        name: `${PARALLEL} x createdb -T`,
        run: () =>
          burst((name) =>
            execa('createdb', ['-T', template, name], { env, extendEnv: false, stdin: 'ignore' }),
          ),
        cleanup: drop,
      });
    } else {
      ctx.unavailable('clone · parallel createdb -T', 'createdb is not on the PATH');
    }
    const { measurements, comparisons, notes } = await measureCase(
      ctx,
      contenders,
      { warmup: 0, iterations: ctx.iterations(3, 1) },
      (m) => (m.length > 1 ? [compare('clone.parallel_burst', m[0], m[1])] : []),
    );
    notes.push(`${failures} failed requests (target: 0)`);
    ctx.report({
      scenario: 'clone',
      case: `${PARALLEL} parallel clone requests from separate processes`,
      measurements,
      comparisons,
      notes,
    });
  } finally {
    await drop().catch(() => undefined);
    await handle.close();
  }
}
