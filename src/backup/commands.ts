import type { BackupFormat, ConnectionParams } from '../config/types.js';
import type { PgTool } from '../server/pg-tools.js';
import { type Compression, compressionArgs } from './compression.js';
import { connectionArgs, connectionEnv, type ToolCommand } from './exec.js';

/**
 * The exact pg_dump / pg_restore invocations dbfast makes, as pure functions: what runs is
 * what these return, so tests can assert that no password is ever among the arguments.
 */

export interface DumpSettings {
  format: BackupFormat;
  /** Parallel jobs: only the directory format can dump in parallel. */
  jobs: number;
  compression: Compression | undefined;
}

/**
 * pg_dump of one database into `output` (a file for custom, a new folder for directory), or
 * onto stdout when `output` is undefined (custom format, for a pipe into pg_restore).
 */
export function dumpCommand(
  tool: PgTool,
  params: ConnectionParams,
  database: string,
  output: string | undefined,
  settings: DumpSettings,
): ToolCommand {
  const args = [
    ...connectionArgs(params, database),
    settings.format === 'directory' ? '-Fd' : '-Fc',
    ...(output === undefined ? [] : ['-f', output]),
    // Never prompt for a password: with no terminal a prompt would hang the backup.
    '--no-password',
    ...compressionArgs(settings.compression, tool.major),
  ];
  if (settings.format === 'directory' && settings.jobs > 1) args.push('-j', String(settings.jobs));
  return { tool, args, env: connectionEnv(params), secret: params.password };
}

export interface RestoreSettings {
  jobs: number;
  /** Skip GRANT/REVOKE (roles of the source server may not exist on the target). */
  noAcl: boolean;
}

/**
 * pg_restore of an archive (stdin when `archive` is undefined) into an existing, empty database. --no-owner because the
 * target's roles are not the source's; --exit-on-error so a failure stops at once and the
 * caller can throw the half-restored scratch database away.
 */
export function restoreCommand(
  tool: PgTool,
  params: ConnectionParams,
  database: string,
  archive: string | undefined,
  settings: RestoreSettings,
): ToolCommand {
  const args = [
    ...connectionArgs(params, database),
    '--no-owner',
    '--exit-on-error',
    '--no-password',
  ];
  if (settings.noAcl) args.push('--no-acl');
  if (settings.jobs > 1) args.push('-j', String(settings.jobs));
  if (archive !== undefined) args.push(archive);
  return { tool, args, env: connectionEnv(params), secret: params.password };
}

/** `pg_restore -l`: reads the whole table of contents, a cheap integrity check. */
export function listCommand(tool: PgTool, archive: string): ToolCommand {
  return { tool, args: ['-l', archive], env: {}, secret: undefined };
}

/** Count the entries of a `pg_restore -l` listing (lines that are not `;` comments). */
export function countListEntries(listing: string): number {
  return listing.split('\n').filter((line) => line.trim() !== '' && !line.startsWith(';')).length;
}
