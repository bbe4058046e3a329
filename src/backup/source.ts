import type { ConnectionParams } from '../config/types.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { getRemote } from '../remote/remotes.js';
import type { SourceFilter } from './store.js';

/**
 * What a backup reads from: a named remote (`--remote prod`, its URL's database), or a
 * database on the project's own server (`--db NAME`).
 */

export interface BackupSource {
  kind: 'remote' | 'database';
  /** The remote's name, or the database name for `--db`. */
  name: string;
  /** How to reach the server (with the password, if any: never print it). */
  params: ConnectionParams;
  database: string;
  environment: string | undefined;
}

export interface SourceOptions {
  remote?: string | undefined;
  db?: string | undefined;
}

/** Resolve `--remote NAME` or `--db NAME` (exactly one) into a BackupSource. */
export async function resolveSource(
  project: Project,
  options: SourceOptions,
): Promise<BackupSource> {
  if ((options.remote === undefined) === (options.db === undefined)) {
    throw usageError(
      'backup.source',
      options.remote === undefined
        ? 'Say what to back up: --remote NAME or --db NAME.'
        : 'Give either --remote or --db, not both.',
      'Example: dbfast backup --remote prod',
    );
  }
  if (options.remote !== undefined) {
    const remote = getRemote(project.config, options.remote);
    return {
      kind: 'remote',
      name: remote.name,
      params: remote.connection,
      database: remote.connection.database,
      environment: remote.environment,
    };
  }
  const database = options.db as string;
  if (database === '') throw usageError('backup.source', 'The --db name is empty.');
  return {
    kind: 'database',
    name: database,
    params: await project.connection(),
    database,
    environment: undefined,
  };
}

/**
 * `--remote NAME` or `--db NAME` as a filter of backups (undefined: every source). The two
 * are different sources even when the names are equal.
 */
export function sourceFilterOf(options: SourceOptions): SourceFilter | undefined {
  if (options.remote !== undefined && options.db !== undefined)
    throw usageError('backup.source', 'Give either --remote or --db, not both.');
  if (options.remote !== undefined) return { kind: 'remote', name: options.remote };
  if (options.db !== undefined) return { kind: 'database', name: options.db };
  return undefined;
}
