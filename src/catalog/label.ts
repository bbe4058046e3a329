import type pg from 'pg';
import { databaseIdent, quoteLiteral } from '../server/identifiers.js';

/**
 * dbfast's state lives in PostgreSQL itself: a small JSON document (the label) in COMMENT ON
 * DATABASE of every database dbfast makes. Every process and machine sharing the server sees
 * the same state, and it survives restarts. A database without a label, or whose label names
 * another project, is never listed, replaced or dropped by anything automatic.
 *
 * The JSON key `dbfast` holds the kind (so 0.1.0 labels still parse), `project` the owning
 * project's identity (absent on 0.1.0 labels: those belong to no project). Work in progress
 * (`build` today; later clones, pool members and restore scratch databases being made) may
 * carry `lock`: the key of the session advisory lock its owner holds while it works, so a
 * leftover whose lock is free belongs to a process that is gone, on any machine.
 */

/** Every kind of database dbfast makes. */
export const LABEL_KINDS = ['template', 'build', 'clone', 'pool', 'snapshot', 'restore'] as const;

interface LabelBase {
  /** The project that made it (`[project] name`); undefined on labels written by 0.1.0. */
  project?: string;
  /** Advisory-lock key held by the session making it, while it is work in progress. */
  lock?: string;
}

export interface TemplateMetadata extends LabelBase {
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
  /** Last time a clone was made from it (updated at most every few minutes). */
  lastUsedAt?: string;
  buildMs: number;
  serverVersion: string;
  sizeBytes: number;
  /** Set for templates made from a backup (`dbfast restore --as-template`). */
  kind?: 'repository' | 'backup';
}

export interface BuildMetadata extends LabelBase {
  dbfast: 'build';
  template: string;
  /** A template a rebuild replaced, waiting to be dropped (not a scratch database). */
  retired?: true;
  startedAt: string;
  pid: number;
  host: string;
}

export interface CloneMetadata extends LabelBase {
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

export interface PoolMetadata extends LabelBase {
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
export interface SnapshotMetadata extends LabelBase {
  dbfast: 'snapshot';
  role: 'snapshot' | 'ready' | 'previous';
  /** The snapshot's name as the user gave it. */
  snapshot: string;
  /** The database it is a snapshot of. */
  db: string;
  /** The project (`[project] name`): gc only ever touches its own project's snapshots. */
  project: string;
  createdAt: string;
  sizeBytes?: number;
  /** Ready copies: the createdAt of the snapshot they copy (one saved over it is not theirs). */
  savedAt?: string;
}

/** A restore's scratch database, until it is swapped in (the label then goes). */
export interface RestoreMetadata extends LabelBase {
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

/** Parse a database comment; undefined when it is not a dbfast label. */
export function parseMetadata(comment: string | null | undefined): Metadata | undefined {
  if (comment === null || comment === undefined || !comment.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(comment) as { dbfast?: unknown; project?: unknown };
    if (typeof value.dbfast !== 'string') return undefined;
    if (!(LABEL_KINDS as readonly string[]).includes(value.dbfast)) return undefined;
    if (value.project !== undefined && typeof value.project !== 'string') return undefined;
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

/** The label of one database, or undefined (missing, or no dbfast label). */
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
