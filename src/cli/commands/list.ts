import { listClones } from '../../clone/inventory.js';
import { formatBytes, formatDuration } from '../../duration.js';
import { action } from '../context.js';
import { table } from '../output.js';
import type { Program } from '../root.js';

export function registerList(program: Program): void {
  program
    .command('list')
    .description('list the databases dbfast cloned for this project (template, age, size)')
    .addHelpText('after', '\nExamples:\n  $ dbfast list\n  $ dbfast list --json')
    .action(
      action(async (ctx) => {
        const clones = await listClones(ctx.project());
        const rows = clones.map((c) => [
          c.name,
          c.template,
          formatDuration(c.ageMs),
          c.sizeBytes === undefined ? '?' : formatBytes(c.sizeBytes),
          c.expiresAt ?? '',
        ]);
        return {
          json: { ok: true, clones },
          text:
            clones.length === 0
              ? 'no clones'
              : table(['name', 'template', 'age', 'size', 'expires'], rows),
        };
      }),
    );
}
