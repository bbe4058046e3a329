import { hostname } from 'node:os';
import type pg from 'pg';
import { type BuildMetadata, type TemplateMetadata, writeMetadata } from '../catalog/label.js';
import { workLock } from '../catalog/work.js';
import { withTransaction } from '../server/connection.js';
import { renameDatabase, terminateConnections } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';

/**
 * Publish a finished scratch database under the template's name. When a template of that
 * name exists already (a forced or ttl-expired rebuild), it is renamed to `retired` (a work
 * name whose lock the retiring session holds: see retire.ts) and the scratch database
 * renamed into its place in ONE transaction: every clone sees either the old or the new
 * template, never none (a CREATE DATABASE … TEMPLATE waiting on the rename's lock looks the
 * name up again once it commits and gets the new one). The old template is labelled as
 * retired work of `name` and stops being a template in the same transaction, so if it is
 * never dropped, gc or the next build removes it once its lock is free.
 *
 * The caller holds the template's build lock; `retired` is given exactly when `name` exists
 * (and is this project's template: see requireOwnTemplate).
 */
export async function publishTemplate(
  client: pg.Client,
  scratch: string,
  name: string,
  label: TemplateMetadata,
  retired: string | undefined,
): Promise<void> {
  await withTransaction(client, async () => {
    // The final label, in the same transaction as the rename: it never sits on the scratch
    // name, where something could take the scratch database for a finished template.
    await writeMetadata(client, scratch, label);
    if (retired !== undefined) {
      // Templates refuse connections; only a session from before (a crashed worker) can be
      // there, and it would make the rename fail.
      await terminateConnections(client, name);
      await renameDatabase(client, name, retired);
      await client.query(`ALTER DATABASE ${databaseIdent(retired)} WITH IS_TEMPLATE false`);
      await writeMetadata(client, retired, retiredLabel(retired, name, label.project));
    }
    await renameDatabase(client, scratch, name);
  });
}

/**
 * The label of a replaced template waiting to be dropped: work in progress of template
 * `name` under the lock of its work name, so gc removes it once its retiring session is gone.
 */
function retiredLabel(retired: string, name: string, project: string | undefined): BuildMetadata {
  return { ...buildLabel(name, project), lock: workLock(retired), retired: true };
}

/**
 * The label of work in progress on template `name` (a scratch database, or a replaced
 * template waiting to be dropped): gc removes it once nobody holds its lock.
 */
export function buildLabel(name: string, project: string | undefined): BuildMetadata {
  return {
    dbfast: 'build',
    ...(project === undefined ? {} : { project }),
    template: name,
    startedAt: new Date().toISOString(),
    pid: process.pid,
    host: hostname(),
  };
}
