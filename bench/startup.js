import { join } from 'node:path';
import { execa } from 'execa';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { summarize } from './lib/harness.js';
import { openHandle, runCli, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { childEnv, DBFAST_BIN, onPath, runTool } from './lib/tools.js';

/**
 * What starting the CLI costs on top of starting node itself:
 * - `dbfast --version` (the launcher, the bundle from its code cache, commander; no command
 *   module, no server) against `node -e 0`;
 * - issue 17's target: dbfast's own work in `dbfast clone NAME`, its wall time minus
 *   `node -e 0`'s in the same round, against `createdb -T`'s wall time (the three take turns;
 *   clones are dropped off the clock).
 */
export async function run(ctx) {
  const env = childEnv(ctx.server);
  const spawn = (args) => execa(process.execPath, args, { env, extendEnv: false, stdin: 'ignore' });
  const version = await measureCase(
    ctx,
    [
      { name: 'dbfast --version', role: 'dbfast', run: () => spawn([DBFAST_BIN, '--version']) },
      { name: 'node -e 0', run: () => spawn(['-e', '0']) },
    ],
    { warmup: 2, iterations: ctx.iterations(20, 10) },
    ([dbfast, node]) => [compare('startup.version_vs_node', dbfast, node)],
  );
  ctx.report({ scenario: 'startup', case: 'CLI start', ...version });
  if ((await onPath('createdb')) === undefined) {
    ctx.unavailable('startup · dbfast clone', 'createdb is not on the PATH');
    return;
  }
  await measureClone(ctx, spawn);
}

async function measureClone(ctx, spawn) {
  const { lib, server } = ctx;
  const configPath = await writeProject(join(ctx.tmp, 'startup-clone'), {
    templateName: ctx.name('st'),
    repository: new URL('../sql', import.meta.url).pathname,
  });
  const handle = await openHandle(ctx, configPath);
  const template = (await handle.ensureTemplate()).name;
  await handle.close();
  let counter = 0;
  const nextName = () => ctx.name(`st_c${++counter}`);
  const drop = (_state, result) =>
    result === undefined ? undefined : dropDatabase(lib, server.admin, result.name);
  const contenders = [
    {
      name: 'dbfast clone',
      role: 'dbfast',
      run: async () => {
        const name = nextName();
        await runCli(ctx, configPath, ['clone', name]);
        return { name };
      },
      cleanup: drop,
    },
    { name: 'node -e 0', run: () => spawn(['-e', '0']) },
    {
      name: 'createdb -T',
      run: async () => {
        const name = nextName();
        await runTool(server, 'createdb', ['-T', template, name]);
        return { name };
      },
      cleanup: drop,
    },
  ];
  const own = (measurements) => {
    const [clone, node] = measurements;
    return {
      name: 'dbfast clone - node -e 0',
      role: 'dbfast',
      ...summarize(clone.samples.map((ms, i) => ms - node.samples[i])),
    };
  };
  const result = await measureCase(
    ctx,
    contenders,
    { warmup: 2, iterations: ctx.iterations(20, 10) },
    (measurements) => [
      compare('startup.clone_own_vs_createdb', own(measurements), measurements[2]),
    ],
  );
  ctx.report({
    scenario: 'startup',
    case: 'dbfast clone: own work (minus node -e 0) vs createdb -T',
    measurements: [...result.measurements, own(result.measurements)],
    comparisons: result.comparisons,
    notes: result.notes,
  });
}
