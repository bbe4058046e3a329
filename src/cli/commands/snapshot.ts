import type { Program } from '../root.js';
import { registerSnapshotDrop } from './snapshot/drop.js';
import { registerSnapshotList } from './snapshot/list.js';
import { registerSnapshotPrepare } from './snapshot/prepare.js';
import { registerSnapshotRestore } from './snapshot/restore.js';
import { registerSnapshotSave } from './snapshot/save.js';

export function registerSnapshot(program: Program): void {
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
  registerSnapshotSave(snapshot);
  registerSnapshotRestore(snapshot);
  registerSnapshotList(snapshot);
  registerSnapshotDrop(snapshot);
  registerSnapshotPrepare(snapshot);
}
