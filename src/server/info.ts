import type pg from 'pg';

/** What dbfast needs to know about a server to choose how to build and clone. */
export interface ServerInfo {
  /** e.g. "15.20" */
  version: string;
  /** server_version_num, e.g. 150020 */
  versionNum: number;
  major: number;
  fsync: boolean;
  /** `file_copy_method` on PG18+ ("copy" or "clone"), undefined before. */
  fileCopyMethod: string | undefined;
  currentUser: string;
  superuser: boolean;
  createdb: boolean;
}

/** Read the server's version and the settings that matter, in one round trip. */
export async function serverInfo(client: pg.Client): Promise<ServerInfo> {
  const { rows } = await client.query<{
    version: string;
    num: string;
    fsync: string;
    fcm: string | null;
    usr: string;
    su: boolean;
    cdb: boolean;
  }>(
    `SELECT current_setting('server_version') AS version,
            current_setting('server_version_num') AS num,
            current_setting('fsync') AS fsync,
            current_setting('file_copy_method', true) AS fcm,
            current_user AS usr,
            r.rolsuper AS su, r.rolcreatedb AS cdb
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error('could not read server settings');
  const versionNum = Number(row.num);
  return {
    version: row.version.split(' ')[0] ?? row.version,
    versionNum,
    major: majorOf(versionNum),
    fsync: row.fsync === 'on',
    fileCopyMethod: row.fcm ?? undefined,
    currentUser: row.usr,
    superuser: row.su,
    createdb: row.cdb,
  };
}

/** The major version in a `server_version_num` (150020 -> 15, 90624 -> 9). */
export function majorOf(versionNum: number | string): number {
  return Math.floor(Number(versionNum) / 10000);
}

/** The connected server's major version, in one small query (serverInfo reads more). */
export async function serverMajor(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: string }>(
    "SELECT current_setting('server_version_num') AS v",
  );
  return majorOf(rows[0]?.v ?? '0');
}
