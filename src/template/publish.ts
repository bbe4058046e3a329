import { hostname } from 'node:os';
import type pg from 'pg';
import {
  type BuildMetadata,
  readMetadata,
  type TemplateMetadata,
  writeMetadata,
} from '../catalog/label.js';
import { asideDatabaseName } from '../catalog/names.js';
import { withTransaction } from '../server/connection.js';
import {
  databaseExists,
  dropDatabase,
  renameDatabase,
  terminateConnections,
} from '../server/databases.js';

/**
 * Publish a finished scratch database under the template's name. When a template of that
 * name exists already (a forced or ttl-expired rebuild), it is renamed aside and the scratch
 * database renamed into its place in ONE transaction: every clone sees either the old or the
 * new template, never none (a CREATE DATABASE … TEMPLATE waiting on the rename's lock looks
 * the name up again once it commits and gets the new one). The old template is dropped
 * afterwards, off the clone path.
 *
 * The caller holds the template's build lock. The old template is labelled as a build of
 * `name` inside the same transaction, so if this process dies before dropping it (or the
 * drop fails), gc removes it once the build lock is free and the next build drops it first.
 */
export async function publishTemplate(
  client: pg.Client,
  scratch: string,
  name: string,
  label: TemplateMetadata,
): Promise<void> {
  const aside = asideDatabaseName(name);
  // A replaced template a crashed build of ours left behind (we hold the build lock).
  const leftover = await readMetadata(client, aside);
  if (leftover?.dbfast === 'build' && leftover.project === label.project)
    await dropDatabase(client, aside);
  const replaced = await withTransaction(client, async () => {
    // The final label, in the same transaction as the rename: it never sits on the scratch
    // name, where something could take the scratch database for a finished template.
    await writeMetadata(client, scratch, label);
    if (!(await databaseExists(client, name))) {
      await renameDatabase(client, scratch, name);
      return false;
    }
    // Templates refuse connections; only a session from before (a crashed worker) can be
    // there, and it would make the rename fail.
    await terminateConnections(client, name);
    await renameDatabase(client, name, aside);
    await writeMetadata(client, aside, buildLabel(name, label.project));
    await renameDatabase(client, scratch, name);
    return true;
  });
  // Dropping waits for a checkpoint: not on the clone path, and a failure here (the old
  // template still in use) only leaves a labelled leftover for gc or the next build.
  if (replaced) await dropDatabase(client, aside).catch(() => undefined);
}

/**
 * The label of work in progress on template `name` (a scratch database, or a replaced
 * template waiting to be dropped): gc removes it once nobody holds the template's build lock.
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
