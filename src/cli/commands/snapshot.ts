import type { Command } from 'commander';
import { formatBytes, formatDuration } from '../../duration.js';
import { usageError } from '../../errors.js';
import { listSnapshots, restoreSnapshot, saveSnapshot } from '../../index.js';
import { dropPreviousStates, dropSnapshot } from '../../snapshot/list.js';
import { prepareSnapshot } from '../../snapshot/save.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import { table } from '../output.js';
import { spawnDetached } from '../refill.js';

interface DbFlags {
  db?: string;
  yes?: boolean;
}

export function registerSnapshot(program: Command): void {
  const snapshot = program
    .command('snapshot')
    .description('save and restore snapshots of a dev database, on the same server')
    .addHelpText(
      'after',
      `
A snapshot is a labelled template copy of the database (CREATE DATABASE ... TEMPLATE; no
pg_dump). After each save and restore, one ready copy is made in the background, so the
next restore is a rename: instant, whatever the size. With no ready copy, restore copies
the snapshot first. The state a restore replaced is kept as <db>_old_<UTC timestamp>.
--db defaults to the database the configured URL names (e.g. DATABASE_URL).

Examples:
  $ dbfast snapshot save before-migration --db shop_dev
  $ dbfast snapshot restore before-migration --db shop_dev --yes
  $ dbfast snapshot list
  $ dbfast snapshot drop before-migration --yes
  $ dbfast snapshot drop --previous --yes`,
    );

  snapshot
    .command('save')
    .description('save the database as snapshot NAME')
    .argument('<name>', 'snapshot name (letters, digits, _ - ., at most 32)')
    .option('--db <name>', 'the database to snapshot')
    .option('-y, --yes', 'close other sessions on the database (a copy needs none)')
    .option('--force', 'replace an existing snapshot of that name')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast snapshot save clean --db shop_dev\n  $ dbfast snapshot save clean --db shop_dev --force --yes',
    )
    .action(
      action(async (ctx, name: string, flags: DbFlags & { force?: boolean }) => {
        const result = await saveSnapshot(ctx.project(), {
          name,
          db: flags.db,
          force: flags.force === true,
          terminate: flags.yes === true,
          prepare: false,
        });
        spawnDetached(ctx.globals, ['snapshot', 'prepare', name, '--db', result.db]);
        const { prepared: _, ...json } = result;
        const closed = result.terminated > 0 ? ` (closed ${result.terminated} sessions)` : '';
        return {
          json: { ok: true, ...json },
          text: `saved snapshot ${result.name} of ${result.db} (${formatBytes(result.sizeBytes)}) in ${formatDuration(result.durationMs)}${closed}`,
        };
      }),
    );

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
      action(async (ctx, name: string, flags: DbFlags) => {
        const project = ctx.project();
        const where = flags.db === undefined ? '' : ` ${flags.db}`;
        const options = { name, db: flags.db, prepare: false };
        let result: Awaited<ReturnType<typeof restoreSnapshot>>;
        try {
          result = await restoreSnapshot(project, options);
        } catch (error) {
          if ((error as { code?: string }).code !== 'snapshot.unconfirmed') throw error;
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

  snapshot
    .command('list')
    .description('snapshots, with ready copies, and the previous states kept')
    .option('--db <name>', 'only the snapshots of this database')
    .addHelpText('after', '\nExamples:\n  $ dbfast snapshot list\n  $ dbfast snapshot list --json')
    .action(
      action(async (ctx, flags: DbFlags) => {
        const list = await listSnapshots(ctx.project(), { db: flags.db });
        const rows = list.snapshots.map((s) => [
          s.name,
          s.db,
          s.sizeBytes === undefined ? '?' : formatBytes(s.sizeBytes),
          s.ready,
          s.createdAt,
        ]);
        const text = [
          list.snapshots.length === 0
            ? 'no snapshots'
            : table(['name', 'db', 'size', 'ready', 'saved'], rows),
          ...list.previous.map(
            (p) => `previous state of ${p.db}: ${p.database} (before ${p.snapshot})`,
          ),
        ].join('\n');
        return { json: { ok: true, ...list }, text };
      }),
    );

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
      action(async (ctx, name: string | undefined, flags: DbFlags & { previous?: boolean }) => {
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

  snapshot
    .command('prepare')
    .description('make the ready copy of snapshot NAME now (save and restore start this)')
    .argument('<name>', 'snapshot name')
    .option('--db <name>', 'the database the snapshot is of')
    .action(
      action(async (ctx, name: string, flags: DbFlags) => {
        const result = await prepareSnapshot(ctx.project(), { name, db: flags.db });
        return {
          json: { ok: true, ...result },
          text: result.created ? `made ready copy ${result.ready}` : `ready copy ${result.ready}`,
        };
      }),
    );
}
