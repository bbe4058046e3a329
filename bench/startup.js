import { execa } from 'execa';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { childEnv, DBFAST_BIN } from './lib/tools.js';

/**
 * What starting the CLI costs on top of starting node itself: `dbfast --version` (loads the
 * launcher, the CLI and the library, touches no server) against `node -e 0`.
 */
export async function run(ctx) {
  const env = childEnv(ctx.server);
  const spawn = (args) => execa(process.execPath, args, { env, extendEnv: false, stdin: 'ignore' });
  const { measurements, comparisons, notes } = await measureCase(
    ctx,
    [
      { name: 'dbfast --version', role: 'dbfast', run: () => spawn([DBFAST_BIN, '--version']) },
      { name: 'node -e 0', run: () => spawn(['-e', '0']) },
    ],
    { warmup: 2, iterations: ctx.iterations(20, 10) },
    ([dbfast, node]) => [compare('startup.version_vs_node', dbfast, node)],
  );
  ctx.report({
    scenario: 'startup',
    case: 'CLI start',
    measurements,
    comparisons,
    notes,
  });
}
