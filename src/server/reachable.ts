import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DbfastError } from '../errors.js';
import type { OsUser } from './os-user.js';

/**
 * The first folder above `dir` (from the root down) that `user` cannot pass through, or
 * undefined. Folders that do not exist yet are created by dbfast with the usual 0755.
 * Uses the primary group only: a supplementary group could still let the user in, in which
 * case this says "blocked" wrongly; the hint's chmod is harmless then.
 */
export async function blockingFolder(dir: string, user: OsUser): Promise<string | undefined> {
  const above: string[] = [];
  for (let folder = dirname(resolve(dir)); ; folder = dirname(folder)) {
    above.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of above) {
    const info = await stat(folder).catch(() => undefined);
    if (info === undefined) return undefined;
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return folder;
  }
  return undefined;
}

/**
 * Stop before initdb when the embedded server's OS user cannot reach its data folder (as
 * root in a 0700 home or `mktemp -d` folder), with what to do, instead of initdb's bare
 * "Permission denied".
 */
export async function requireReachable(dir: string, user: OsUser): Promise<void> {
  const folder = await blockingFolder(dir, user);
  if (folder === undefined) return;
  const mode = ((await stat(folder)).mode & 0o777).toString(8).padStart(4, '0');
  throw new DbfastError(
    'server.embedded_unreachable',
    `The embedded PostgreSQL runs as the OS user "${user.name}" (PostgreSQL refuses to run as root), and that user cannot reach ${dir}: ${folder} (mode ${mode}) is closed to it.`,
    {
      hint: `Let it through with \`chmod o+x ${folder}\` (passing through only, not listing), move the project to a folder other users can reach, or use your own server (DATABASE_URL or [database] url).`,
    },
  );
}
