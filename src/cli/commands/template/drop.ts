import { usageError } from '../../../errors.js';
import { dropTemplates } from '../../../template/manage.js';
import { confirmDestructive } from '../../confirm.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerTemplateDrop(template: CommandGroup): void {
  template
    .command('drop')
    .description('drop templates of this project by name, or the ones retention lets go')
    .argument('[names...]', 'template database names')
    .option(
      '--stale',
      'drop templates not current here, beyond the newest [templates] keep and unused for [templates] unused_for',
    )
    .option('--dry-run', 'only list what would be dropped')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
A template that is not current in this checkout may be current in another one (a worktree,
a CI runner on the same server): --stale only drops it once it is also unused for a while.

Examples:
  $ dbfast template drop --stale --dry-run
  $ dbfast template drop --stale --yes`,
    )
    .action(
      action(async (ctx, names, options) => {
        if (names.length === 0 && options.stale !== true) {
          throw usageError(
            'usage',
            'Name the templates to drop, or pass --stale.',
            'See `dbfast template list`.',
          );
        }
        const which = options.stale ? { stale: true } : { names };
        const dryRun = options.dryRun === true;
        if (!dryRun) {
          const doomed = await dropTemplates(ctx.project(), { ...which, dryRun: true });
          if (doomed.length === 0)
            return { json: { ok: true, dryRun, dropped: [] }, text: 'nothing to drop' };
          await confirmDestructive({
            yes: options.yes === true,
            question: `Drop ${doomed.join(', ')}?`,
          });
        }
        const dropped = await dropTemplates(ctx.project(), { ...which, dryRun });
        const verb = dryRun ? 'would drop' : 'dropped';
        return {
          json: { ok: true, dryRun, dropped },
          text: dropped.length === 0 ? 'nothing to drop' : `${verb} ${dropped.join(', ')}`,
        };
      }),
    );
}
