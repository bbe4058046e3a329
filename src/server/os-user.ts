import { DbfastError } from '../errors.js';
import { loadExeca } from './execa.js';

/** An unprivileged OS user to run PostgreSQL as (initdb and postgres refuse to run as root). */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user dbfast creates when it runs as root and the configured user does not exist. */
const FALLBACK_USER = 'dbfast';

/**
 * When running as root, find (or create, with a notice) the unprivileged user the embedded
 * server runs as. Returns undefined when not root: the server runs as the current user.
 */
export async function resolveOsUser(
  name: string,
  onNotice?: (message: string) => void,
): Promise<OsUser | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const existing = (await lookup(name)) ?? (await lookup(FALLBACK_USER));
  if (existing !== undefined) return existing;
  onNotice?.(
    `dbfast runs as root; PostgreSQL refuses to. Creating the unprivileged OS user "${FALLBACK_USER}" to run the embedded server.`,
  );
  try {
    await (await loadExeca())('useradd', [
      '--system',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      FALLBACK_USER,
    ]);
  } catch (cause) {
    throw new DbfastError(
      'server.os_user',
      `Could not create the OS user "${FALLBACK_USER}" for the embedded server.`,
      {
        hint: 'Create an unprivileged user and name it in [server] os_user, or run dbfast as a normal user.',
        cause,
      },
    );
  }
  const created = await lookup(FALLBACK_USER);
  if (created === undefined) {
    throw new DbfastError(
      'server.os_user',
      `The OS user "${FALLBACK_USER}" was created but cannot be found.`,
    );
  }
  return created;
}

async function lookup(name: string): Promise<OsUser | undefined> {
  const uid = await (await loadExeca())('id', ['-u', name], { reject: false });
  const gid = await (await loadExeca())('id', ['-g', name], { reject: false });
  if (uid.exitCode !== 0 || gid.exitCode !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
