import type pg from 'pg';
import { type SnapshotMetadata, writeMetadata } from '../catalog/label.js';
import { createClone } from '../clone/create-database.js';
import type { Project } from '../project.js';
import { withTransaction } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';
import { serverInfo } from '../server/info.js';

/** Sessions on `database` other than this one. */
export async function otherSessions(client: pg.Client, database: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Copy `from` into a new database `to` with CREATE DATABASE … TEMPLATE (the clone code's
 * strategy choice and retries; it closes other sessions on `from`), then label it, as a
 * template (IS_TEMPLATE, no connections) when asked. Label and flags are set in one
 * transaction; a copy that cannot be labelled is dropped, so no half-made snapshot remains.
 */
export async function copyDatabase(
  client: pg.Client,
  project: Project,
  from: string,
  to: string,
  metadata: SnapshotMetadata,
  options: { asTemplate: boolean },
): Promise<number> {
  const [server, size] = await Promise.all([
    serverInfo(client),
    client.query<{ size: string }>('SELECT pg_database_size($1) AS size', [from]),
  ]);
  const sizeBytes = Number(size.rows[0]?.size ?? 0);
  await createClone(client, {
    name: to,
    project: project.id,
    template: from,
    env: '',
    serverMajor: server.major,
    templateBytes: sizeBytes,
    strategy: project.config.database.cloneStrategy,
  });
  try {
    await withTransaction(client, async () => {
      await writeMetadata(client, to, { ...metadata, sizeBytes });
      if (options.asTemplate) {
        await client.query(
          `ALTER DATABASE ${databaseIdent(to)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
        );
      }
    });
  } catch (error) {
    await dropDatabase(client, to).catch(() => undefined);
    throw error;
  }
  return sizeBytes;
}
