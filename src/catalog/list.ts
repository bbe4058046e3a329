import type pg from 'pg';
import { type Metadata, parseMetadata } from './label.js';

/** A database on the server as dbfast sees it. */
export interface DatabaseEntry {
  name: string;
  isTemplate: boolean;
  allowConnections: boolean;
  sizeBytes: number | undefined;
  metadata: Metadata | undefined;
}

/** A database whose label names this project. */
export interface OwnedEntry extends DatabaseEntry {
  metadata: Metadata;
}

/**
 * Every database whose label names `project`, with sizes when asked (pg_database_size stats
 * every file: not for hot paths). Listing goes by label only, never by name: whatever a
 * database is called, it is listed exactly when its label names this project.
 */
export async function listOwned(
  client: pg.Client,
  project: string,
  options: { sizes?: boolean } = {},
): Promise<OwnedEntry[]> {
  const { rows } = await client.query<{
    datname: string;
    datistemplate: boolean;
    datallowconn: boolean;
    comment: string | null;
  }>(
    // The substring test is a cheap pre-filter (labels of other projects, which may be large,
    // stay on the server); the parsed label decides.
    `SELECT datname, datistemplate, datallowconn, comment
       FROM (SELECT d.*, shobj_description(d.oid, 'pg_database') AS comment
               FROM pg_database d) d
      WHERE starts_with(comment, '{"dbfast"') AND strpos(comment, $1) > 0
      ORDER BY datname`,
    [`"project":${JSON.stringify(project)}`],
  );
  const entries: OwnedEntry[] = [];
  for (const row of rows) {
    const metadata = parseMetadata(row.comment);
    if (metadata?.project !== project) continue;
    entries.push({
      name: row.datname,
      isTemplate: row.datistemplate,
      allowConnections: row.datallowconn,
      // Sizes only of our own databases: the server may hold large ones that are none of
      // dbfast's business (pg_database_size stats every file).
      sizeBytes: options.sizes === true ? await sizeOf(client, row.datname) : undefined,
      metadata,
    });
  }
  return entries;
}

/** A database's size, or undefined when it went away meanwhile (another gc, a rebuild). */
async function sizeOf(client: pg.Client, name: string): Promise<number | undefined> {
  try {
    const { rows } = await client.query<{ size: string | null }>(
      'SELECT pg_database_size(oid) AS size FROM pg_database WHERE datname = $1',
      [name],
    );
    return rows[0]?.size == null ? undefined : Number(rows[0].size);
  } catch {
    return undefined;
  }
}
