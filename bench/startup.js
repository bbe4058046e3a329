import { execa } from 'execa';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { childEnv, DBFAST_BIN } from './lib/tools.js';

/**
 * What starting the CLI costs on top of starting node itself: `dbfast --version` (loads the
 * launcher, the CLI and the library, touches no server) against `node -e 0`.
 */
export async function run(ctx) {
  const env = childEnv(ctx.server);
  const spawn = (args) => execa(process.execPath, args, { env, extendEnv: false, stdin: 'ignore' });
  const measurements = await measure(
    [
      { name: 'dbfast --version', role: 'dbfast', run: () => spawn([DBFAST_BIN, '--version']) },
      { name: 'node -e 0', run: () => spawn(['-e', '0']) },
    ],
    { warmup: 2, iterations: ctx.iterations(20, 8) },
  );
  const [dbfast, node] = measurements;
  ctx.report({
    scenario: 'startup',
    case: 'CLI start',
    measurements,
    comparisons: [compare('startup.version_vs_node', dbfast, node)],
  });
}
