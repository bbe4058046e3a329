import { formatDuration } from '../../../duration.js';
import { isDbfastError } from '../../../errors.js';
import { restoreSnapshot } from '../../../snapshot/restore.js';
import { confirmDestructive } from '../../confirm.js';
import { action } from '../../context.js';
import { spawnDetached } from '../../refill.js';
import type { CommandGroup } from '../../root.js';

export function registerSnapshotRestore(snapshot: CommandGroup): void {
  snapshot
    .command('restore')
    .description('put the database back to snapshot NAME (the current state is kept)')
    .argument('<name>', 'snapshot name')
    .option('--db <name>', 'the database to restore (default: the one that has this snapshot)')
    .option('-y, --yes', 'confirm replacing the database (its sessions are closed)')
    .addHelpText(
      'after',
      `
Like "dbfast restore", replacing the database needs --yes (or a "y" on a terminal); its
sessions are closed for the swap. Refusals exit with code 2.

Examples:
  $ dbfast snapshot restore clean --db shop_dev --yes
  $ dbfast snapshot restore clean --yes --json`,
    )
    .action(
      action(async (ctx, name, flags) => {
        const project = ctx.project();
        const where = flags.db === undefined ? '' : ` ${flags.db}`;
        const options = { name, db: flags.db, prepare: false };
        let result: Awaited<ReturnType<typeof restoreSnapshot>>;
        try {
          result = await restoreSnapshot(project, options);
        } catch (error) {
          if (!isDbfastError(error) || error.code !== 'snapshot.unconfirmed') throw error;
          await confirmDestructive({
            yes: flags.yes === true,
            question: `Replace database${where} with snapshot ${name} (the current state is kept, renamed)?`,
          });
          result = await restoreSnapshot(project, { ...options, replace: true });
        }
        spawnDetached(ctx.globals, ['snapshot', 'prepare', name, '--db', result.db]);
        const { prepared: _, ...json } = result;
        const how = result.fromReady === undefined ? 'copied' : 'ready copy swapped in';
        const lines = [
          `restored ${result.db} to snapshot ${result.name} in ${formatDuration(result.durationMs)} (${how})`,
        ];
        if (result.previous !== undefined) {
          lines.push(`previous state kept as ${result.previous}`);
        }
        return { json: { ok: true, ...json }, text: lines.join('\n') };
      }),
    );
}
