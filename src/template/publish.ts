import { hostname } from 'node:os';
import type pg from 'pg';
import { withTransaction } from '../server/connection.js';
import {
  databaseExists,
  dropDatabase,
  renameDatabase,
  terminateConnections,
} from '../server/databases.js';
import { type BuildMetadata, writeMetadata } from './metadata.js';
import { asideDatabaseName } from './names.js';

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
): Promise<void> {
  const aside = asideDatabaseName(name);
  const replaced = await withTransaction(client, async () => {
    if (!(await databaseExists(client, name))) {
      await renameDatabase(client, scratch, name);
      return false;
    }
    // Templates refuse connections; only a session from before (a crashed worker) can be
    // there, and it would make the rename fail.
    await terminateConnections(client, name);
    await renameDatabase(client, name, aside);
    await writeMetadata(client, aside, buildLabel(name));
    await renameDatabase(client, scratch, name);
    return true;
  });
  // Dropping waits for a checkpoint: not on the clone path, and a failure here (the old
  // template still in use) only leaves a labelled leftover for gc or the next build.
  if (replaced) await dropDatabase(client, aside).catch(() => undefined);
}

/** Drop what a crashed build of `name` left: its scratch database and a replaced template. */
export async function dropBuildLeftovers(
  client: pg.Client,
  scratch: string,
  name: string,
): Promise<void> {
  await dropDatabase(client, scratch);
  await dropDatabase(client, asideDatabaseName(name));
}

/**
 * The label of work in progress on template `name` (a scratch database, or a replaced
 * template waiting to be dropped): gc removes it once nobody holds the template's build lock.
 */
export function buildLabel(name: string): BuildMetadata {
  return {
    dbfast: 'build',
    template: name,
    startedAt: new Date().toISOString(),
    pid: process.pid,
    host: hostname(),
  };
}
