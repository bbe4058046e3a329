import { parseConnectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { serverInfo } from '../../src/server/info.js';
import { listPgTools } from '../../src/server/pg-tools.js';

export interface BackupServerChoice {
  /** The server backup tests run against, when there is one the installed pg_dump can dump. */
  url: string | undefined;
  /** Why there is none (for requires()). */
  missing: string | undefined;
  /** The newest installed pg_dump's major version, 0 when none is installed. */
  pgDumpMajor: number;
}

/**
 * Backups need a pg_dump at least as new as the server. Use DBFAST_TEST_BACKUP_URL when it
 * is given (it must answer), else the test server when the installed pg_dump can dump it;
 * never a server nobody named.
 */
export async function backupServer(
  testUrl: string,
  given: string | undefined,
): Promise<BackupServerChoice> {
  const url = given !== undefined && given !== '' ? given : testUrl;
  const where = url === testUrl ? 'the test server' : 'DBFAST_TEST_BACKUP_URL';
  const info = await withClient(parseConnectionUrl(url, where), serverInfo);
  const dumps = await listPgTools('pg_dump');
  const newest = dumps.reduce((max, tool) => Math.max(max, tool.major), 0);
  const restores = await listPgTools('pg_restore');
  let missing: string | undefined;
  if (dumps.length === 0 || restores.length === 0) {
    missing = 'pg_dump and pg_restore are not installed';
  } else if (newest < info.major) {
    missing = `the installed pg_dump (newest ${newest}) cannot dump PostgreSQL ${info.version}, ${where}`;
  }
  return { url: missing === undefined ? url : undefined, missing, pgDumpMajor: newest };
}
