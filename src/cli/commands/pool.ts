import type { Program } from '../root.js';
import { registerPoolDrain } from './pool/drain.js';
import { registerPoolFill } from './pool/fill.js';
import { registerPoolStatus } from './pool/status.js';

export function registerPool(program: Program): void {
  const pool = program
    .command('pool')
    .description('pre-made clones, claimed instantly by `dbfast clone` ([pool] size = N)')
    .addHelpText(
      'after',
      `
A pool member is a ready clone of the CURRENT template. \`dbfast clone\` claims one with an
atomic rename (safe across processes, no daemon) and refills the pool in the background.

Examples:
  $ dbfast pool fill --env test
  $ dbfast pool status
  $ dbfast pool drain --yes`,
    );
  registerPoolFill(pool);
  registerPoolStatus(pool);
  registerPoolDrain(pool);
}
