import { join } from 'node:path';
import { fill } from './backup.js';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { openBenchProject, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';

/**
 * Issue 16: snapshot restore of a generated database (~130 MB; ~25 MB with --quick).
 *   with a ready copy   library restoreSnapshot (a rename swap: lock, labels, two renames in
 *                       one transaction, the old state labelled)
 *                       vs  ALTER DATABASE ready RENAME TO x, the rename at the core of a
 *                       pool claim (the floor of any claim)
 *   with none           restoreSnapshot copying the snapshot first
 *                       vs  CREATE DATABASE x TEMPLATE snapshot
 * Ready copies, and the replaced states the restores keep, are made and dropped off the clock.
 */

const ROWS = { full: 650_000, quick: 120_000 };

export async function run(ctx) {
  const { lib, server } = ctx;
  if (typeof lib.restoreSnapshot !== 'function') {
    ctx.unavailable('snapshot', 'restoreSnapshot is not exported by dist/index.js yet');
    return;
  }
  const db = ctx.name('snd');
  const mb = await fill(ctx, db, ctx.quick ? ROWS.quick : ROWS.full);
  const configPath = await writeProject(join(ctx.tmp, 'snapshot'), {
    templateName: ctx.name('snt'),
    repository: join(ctx.tmp, 'snapshot'),
  });
  const project = openBenchProject(ctx, configPath);
  ctx.progress('saving the snapshot');
  const saved = await lib.saveSnapshot(project, { name: 's', db, prepare: false });
  const iterations = ctx.iterations(7, 3);
  const admin = server.admin;
  const ident = lib.databaseIdent;
  let n = 0;
  const fresh = () => ctx.name(`snc${++n}`);
  const dropPrevious = async (_state, result) => {
    if (result?.previous !== undefined) await dropDatabase(lib, admin, result.previous);
  };

  ctx.progress('snapshot restore with a ready copy vs a rename');
  const ready = await measure(
    [
      {
        name: 'restoreSnapshot (ready copy)',
        role: 'dbfast',
        prepare: () => lib.prepareSnapshot(project, { name: 's', db }),
        run: () => lib.restoreSnapshot(project, { name: 's', db, replace: true, prepare: false }),
        cleanup: dropPrevious,
      },
      {
        name: 'ALTER DATABASE … RENAME (pool claim core)',
        prepare: async () => {
          const copy = fresh();
          await admin.query(`CREATE DATABASE ${ident(copy)} TEMPLATE ${ident(saved.database)}`);
          return { copy, claimed: fresh() };
        },
        run: async ({ copy, claimed }) => {
          await admin.query(`ALTER DATABASE ${ident(copy)} RENAME TO ${ident(claimed)}`);
        },
        cleanup: ({ claimed }) => dropDatabase(lib, admin, claimed),
      },
    ],
    { warmup: 1, iterations },
  );
  ctx.report({
    scenario: 'snapshot',
    case: `snapshot restore with a ready copy, ${mb} MB database`,
    measurements: ready,
    comparisons: [compare('snapshot.restore_ready_vs_rename', ready[0], ready[1])],
  });

  ctx.progress('snapshot restore without a ready copy vs CREATE DATABASE … TEMPLATE');
  const choice = lib.chooseStrategy('auto', server.info.major, saved.sizeBytes, server.info.fsync);
  const copied = await measure(
    [
      {
        name: 'restoreSnapshot (no ready copy)',
        role: 'dbfast',
        run: () => lib.restoreSnapshot(project, { name: 's', db, replace: true, prepare: false }),
        cleanup: dropPrevious,
      },
      {
        name: 'CREATE DATABASE … TEMPLATE snapshot',
        prepare: fresh,
        run: (copy) =>
          admin.query(`CREATE DATABASE ${ident(copy)} TEMPLATE ${ident(saved.database)}`),
        cleanup: (copy) => dropDatabase(lib, admin, copy),
      },
      {
        // The copy with the strategy dbfast's clone code chooses (reported, not gated): what
        // is left between this and restoreSnapshot is the snapshot's own work.
        name: `CREATE DATABASE … TEMPLATE snapshot${choice.clause}`,
        prepare: fresh,
        run: async (copy) => {
          if (choice.cloneFiles) await admin.query('SET file_copy_method = clone');
          await admin.query(
            `CREATE DATABASE ${ident(copy)} TEMPLATE ${ident(saved.database)}${choice.clause}`,
          );
          if (choice.cloneFiles) await admin.query('RESET file_copy_method');
        },
        cleanup: (copy) => dropDatabase(lib, admin, copy),
      },
    ],
    { warmup: 1, iterations },
  );
  ctx.report({
    scenario: 'snapshot',
    case: `snapshot restore without a ready copy, ${mb} MB database`,
    measurements: copied,
    comparisons: [compare('snapshot.restore_copy_vs_create', copied[0], copied[1])],
  });
}
