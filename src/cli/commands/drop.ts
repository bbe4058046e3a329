import { dropClones } from '../../clone/inventory.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import type { Program } from '../root.js';

export function registerDrop(program: Program): void {
  program
    .command('drop')
    .description('drop clones of this project (refuses anything else unless --force)')
    .argument('<names...>', 'database names')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(
      '--force',
      "also drop databases that are not this project's clones (dbfast's or not: asks first)",
    )
    .addHelpText('after', '\nExamples:\n  $ dbfast drop test_db --yes\n  $ dbfast drop a b c')
    .action(
      action(async (ctx, names, options) => {
        await confirmDestructive({
          yes: options.yes === true,
          question: `Drop ${names.join(', ')}? Their data is lost.`,
        });
        const result = await dropClones(ctx.project(), names, { force: options.force === true });
        const text = [
          result.dropped.length > 0 ? `dropped ${result.dropped.join(', ')}` : 'nothing dropped',
          ...result.missing.map((n) => `not found: ${n}`),
        ].join('\n');
        return { json: { ok: true, ...result }, text };
      }),
    );
}
