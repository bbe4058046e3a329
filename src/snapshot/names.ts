import { nameWithSuffix } from '../backup/swap.js';
import { usageError } from '../errors.js';
import { validateDatabaseName } from '../server/identifiers.js';

/**
 * Names of the databases a snapshot is made of. They are found by their label, never by
 * these names; the names only have to be unique, fit in 63 bytes and be readable in psql:
 *   snapshot     <db>_snap_<name>             (a template: IS_TEMPLATE, no connections)
 *   ready copy   <db>_snap_<name>_r<hex8>     (swapped in by the next restore)
 *   previous     <db>_old_<UTC timestamp>     (what a restore replaced)
 */

/** Snapshot names: short and plain, so that every derived database name keeps them whole. */
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** Check a snapshot name; a usage error (exit 2) when it is not one. */
export function validateSnapshotName(name: string): string {
  if (!SNAPSHOT_NAME.test(name)) {
    throw usageError(
      'snapshot.bad_name',
      `"${name}" is not a snapshot name.`,
      'Use 1 to 32 letters, digits, "_", "-" or ".", starting with a letter or digit.',
    );
  }
  return name;
}

/** The snapshot's own database: `<db>_snap_<name>`, the database name cut to fit. */
export function snapshotDatabaseName(db: string, name: string): string {
  return validateDatabaseName(nameWithSuffix(db, `_snap_${name}`), 'snapshot database name');
}

/** A ready copy's name: the snapshot's, with a random suffix. */
export function readyCopyName(snapshotDatabase: string, random: string): string {
  return validateDatabaseName(nameWithSuffix(snapshotDatabase, `_r${random}`));
}
