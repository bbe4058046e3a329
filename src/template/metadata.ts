import type pg from 'pg';
import { databaseIdent, quoteLiteral } from '../server/identifiers.js';

/**
 * dbfast's state lives in PostgreSQL itself: a small JSON document in COMMENT ON DATABASE
 * of every database dbfast makes. Every process and machine sharing the server sees the
 * same state, and it survives restarts. A database without such a comment is not dbfast's
 * and is never touched by gc or drop.
 */

export interface TemplateMetadata {
  dbfast: 'template';
  /** Written only once the build is complete (the comment is set before the publishing rename). */
  complete: true;
  version: string;
  fingerprint: string;
  /** Format of dbfast's own fingerprint: a new format makes every older template stale. */
  formatVersion: number;
  env: string;
  /** Hash of the environment's configuration and the repository settings. */
  configHash: string;
  serverMajor: number;
  files: Record<string, string>;
  extraInputs: Record<string, string>;
  createdAt: string;
  buildMs: number;
  serverVersion: string;
  sizeBytes: number;
  /** Set for templates made from a backup (`dbfast restore --as-template`). */
  kind?: 'repository' | 'backup';
}

export interface BuildMetadata {
  dbfast: 'build';
  template: string;
  startedAt: string;
  pid: number;
  host: string;
}

export interface CloneMetadata {
  dbfast: 'clone';
  template: string;
  env: string;
  createdAt: string;
  creator: string;
  /** Milliseconds after createdAt when gc may drop it. */
  ttlMs?: number;
  /** The library handle (test run) that made it: `<host>:<pid>:<random>`. */
  run?: string;
}

export interface PoolMetadata {
  dbfast: 'pool';
  template: string;
  env: string;
  createdAt: string;
}

/**
 * A dev snapshot (`dbfast snapshot`), in one of three roles: the saved copy itself (a
 * template), a ready copy of it waiting to be swapped in by a restore, or the state a
 * restore replaced (kept for undo until dropped or gc'd).
 */
export interface SnapshotMetadata {
  dbfast: 'snapshot';
  role: 'snapshot' | 'ready' | 'previous';
  /** The snapshot's name as the user gave it. */
  snapshot: string;
  /** The database it is a snapshot of. */
  db: string;
  /** The project's template_name: gc only ever touches its own project's snapshots. */
  project: string;
  createdAt: string;
  sizeBytes?: number;
  /** Ready copies: the createdAt of the snapshot they copy (one saved over it is not theirs). */
  savedAt?: string;
}

/** A restore's scratch database, until it is swapped in (the label then goes). */
export interface RestoreMetadata {
  dbfast: 'restore';
  /** The template_name of the project that restores: only that project repairs or drops it. */
  templateName: string;
  /** The database it will replace or become. */
  target: string;
  startedAt: string;
  pid: number;
  host: string;
  /**
   * The target's ALLOW_CONNECTIONS before the swap refused connections to it: recorded
   * before the swap starts, so a restore killed mid-swap can be repaired by the next one.
   */
  targetAllowConnections?: boolean;
}

export type Metadata =
  | TemplateMetadata
  | BuildMetadata
  | CloneMetadata
  | PoolMetadata
  | SnapshotMetadata
  | RestoreMetadata;

/** Parse a database comment; undefined when it is not a dbfast document. */
export function parseMetadata(comment: string | null | undefined): Metadata | undefined {
  if (comment === null || comment === undefined || !comment.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(comment) as { dbfast?: unknown };
    if (typeof value.dbfast !== 'string') return undefined;
    const kinds = ['template', 'build', 'clone', 'pool', 'snapshot', 'restore'];
    if (!kinds.includes(value.dbfast)) return undefined;
    return value as Metadata;
  } catch {
    return undefined;
  }
}

/** COMMENT ON DATABASE as one SQL string (utility statements take no parameters). */
export function commentSql(database: string, metadata: Metadata): string {
  return `COMMENT ON DATABASE ${databaseIdent(database)} IS ${quoteLiteral(JSON.stringify(metadata))}`;
}

export async function writeMetadata(
  client: pg.Client,
  database: string,
  metadata: Metadata,
): Promise<void> {
  await client.query(commentSql(database, metadata));
}

/** A database on the server as dbfast sees it. */
export interface DatabaseEntry {
  name: string;
  isTemplate: boolean;
  allowConnections: boolean;
  sizeBytes: number | undefined;
  metadata: Metadata | undefined;
}

/**
 * Every database that carries a dbfast comment (optionally those whose name starts with
 * `prefix`), with sizes when asked (pg_database_size stats every file: not for hot paths).
 */
export async function listDbfastDatabases(
  client: pg.Client,
  options: { prefix?: string; sizes?: boolean } = {},
): Promise<DatabaseEntry[]> {
  const { rows } = await client.query<{
    datname: string;
    datistemplate: boolean;
    datallowconn: boolean;
    size: string | null;
    comment: string | null;
  }>(
    // Only labelled databases, and sizes only for them: pg_database_size stats every file of
    // a database, and the server may hold large databases that are none of dbfast's business.
    `SELECT datname, datistemplate, datallowconn,
            CASE WHEN $2::boolean THEN pg_database_size(oid) END AS size, comment
       FROM (SELECT d.*, shobj_description(d.oid, 'pg_database') AS comment FROM pg_database d
              WHERE starts_with(d.datname, $1)) d
      WHERE starts_with(comment, '{"dbfast"')
      ORDER BY datname`,
    [options.prefix ?? '', options.sizes === true],
  );
  return rows
    .map((row) => ({
      name: row.datname,
      isTemplate: row.datistemplate,
      allowConnections: row.datallowconn,
      sizeBytes: row.size === null ? undefined : Number(row.size),
      metadata: parseMetadata(row.comment),
    }))
    .filter((entry) => entry.metadata !== undefined);
}

/** The metadata of one database, or undefined (missing, or not dbfast's). */
export async function readMetadata(
  client: pg.Client,
  database: string,
): Promise<Metadata | undefined> {
  const { rows } = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [database],
  );
  return rows[0] === undefined ? undefined : parseMetadata(rows[0].comment);
}
