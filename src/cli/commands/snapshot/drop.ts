import { usageError } from '../../../errors.js';
import { dropPreviousStates, dropSnapshot } from '../../../snapshot/list.js';
import { confirmDestructive } from '../../confirm.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerSnapshotDrop(snapshot: CommandGroup): void {
  snapshot
    .command('drop')
    .description('drop snapshot NAME with its ready copies, or (--previous) the previous states')
    .argument('[name]', 'snapshot name')
    .option('--db <name>', 'the database whose snapshot (or previous states) to drop')
    .option('--previous', 'drop the states that restores replaced instead')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast snapshot drop clean --yes\n  $ dbfast snapshot drop --previous --db shop_dev --yes',
    )
    .action(
      action(async (ctx, name, flags) => {
        if ((name === undefined) === (flags.previous !== true)) {
          throw usageError('usage', 'Give a snapshot name or --previous (not both).');
        }
        await confirmDestructive({
          yes: flags.yes === true,
          question: name === undefined ? 'Drop the previous states?' : `Drop snapshot ${name}?`,
        });
        const dropped =
          name === undefined
            ? await dropPreviousStates(ctx.project(), { db: flags.db })
            : await dropSnapshot(ctx.project(), { name, db: flags.db });
        return {
          json: { ok: true, dropped },
          text: dropped.length === 0 ? 'nothing dropped' : `dropped ${dropped.join(', ')}`,
        };
      }),
    );
}
