import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * A backup is written into `<source>/.partial-…` and renamed into place when complete. The
 * folder records its owner (pid, host, start time); once that owner is gone (same host, pid
 * no longer alive) the folder is garbage, and the next backup, prune or gc removes it. A
 * folder of another host is left alone: from here nobody can tell whether its owner lives.
 */

const OWNER_FILE = 'owner.json';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

/** Record this process as the owner of a partial backup folder. */
export async function claimPartial(dir: string): Promise<void> {
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
  };
  await writeFile(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}

/** Drop the owner record before the folder becomes a finished backup. */
export async function releasePartial(dir: string): Promise<void> {
  await rm(join(dir, OWNER_FILE), { force: true });
}

/** Whether a process with this pid exists on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as { code?: string }).code === 'EPERM';
  }
}

async function abandoned(dir: string, name: string): Promise<boolean> {
  // Hidden by a prune to be deleted: garbage whoever left it.
  if (name.startsWith('.deleting-')) return true;
  const text = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  try {
    const owner = JSON.parse(text) as Partial<Owner>;
    return owner.host === hostname() && typeof owner.pid === 'number' && !alive(owner.pid);
  } catch {
    return false;
  }
}

/**
 * Remove the `.partial-…` folders of backups whose process is gone (and `.deleting-…`
 * folders a prune left half-deleted). Returns the folders removed, relative to `backupsDir`.
 */
export async function removeAbandonedPartials(
  backupsDir: string,
  options: { dryRun?: boolean } = {},
): Promise<string[]> {
  if (!existsSync(backupsDir)) return [];
  const removed: string[] = [];
  // Source folders are `remote/<name>` and `db/<name>` (store.ts), or one level up for the
  // folders of dbfast 0.1.0: look for partials at both depths.
  const visit = async (relative: string, depth: number): Promise<void> => {
    const dir = join(backupsDir, relative);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = `${relative}/${entry.name}`;
      if (entry.name.startsWith('.partial-') || entry.name.startsWith('.deleting-')) {
        const full = join(dir, entry.name);
        if (!(await abandoned(full, entry.name))) continue;
        if (options.dryRun !== true) await rm(full, { recursive: true, force: true });
        removed.push(path);
      } else if (depth < 2 && !entry.name.startsWith('.')) {
        await visit(path, depth + 1);
      }
    }
  };
  for (const source of await readdir(backupsDir, { withFileTypes: true })) {
    if (!source.isDirectory() || source.name.startsWith('.')) continue;
    await visit(source.name, 1);
  }
  return removed;
}
