import { spawn } from 'node:child_process';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../server/lockfile.js';
import { poolFileKey } from './pool-target.js';

/**
 * Background pool refills, one at a time per template on this machine. A clone that wants
 * the pool topped up creates a lock file (O_EXCL) BEFORE it spawns the filler, and the
 * filler removes it when it is done; so of 8 clones at once exactly one spawns a process,
 * and there is no window (as there would be with an advisory lock handed from the clone's
 * connection to the child) in which a second one could. Across machines the filler also
 * takes the server-wide advisory lock and exits at once when another filler holds it.
 */

export interface BackgroundRefillOptions {
  /** The dbfast launcher to run (bin/dbfast.js). */
  script: string;
  env: string;
  /** The template the pool belongs to, and where it lives (any URL of that server). */
  template: string;
  serverUrl: string;
  configPath?: string | undefined;
  /** Passed through the environment: it may hold a password. */
  databaseUrl?: string | undefined;
  cwd?: string;
}

/** `started`: this call spawned the filler; `running`: one is already at work. */
export type RefillStart = 'started' | 'running';

/** A lock file left by a process that died is taken over after this long at the latest. */
const STALE_MS = 10 * 60_000;

/** The lock file of a template's refill on this machine (a hash: names may hold anything). */
export function refillLockPath(serverUrl: string, template: string): string {
  return join(tmpdir(), `dbfast-refill-${poolFileKey(serverUrl, template)}.lock`);
}

/**
 * Spawn a detached `dbfast pool fill --background <lock>` unless one is already running
 * for this template. Cheap when one is (one failed open()). Never throws for a busy lock.
 */
export async function startBackgroundRefill(
  options: BackgroundRefillOptions,
): Promise<RefillStart> {
  const lock = refillLockPath(options.serverUrl, options.template);
  if (!(await createLock(lock))) return 'running';
  try {
    const args = [options.script, 'pool', 'fill', '--env', options.env, '--background', lock];
    if (options.configPath !== undefined) args.push('--config', options.configPath);
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: 'ignore',
      cwd: options.cwd ?? process.cwd(),
      env:
        options.databaseUrl === undefined
          ? process.env
          : { ...process.env, DBFAST_DATABASE_URL: options.databaseUrl },
    });
    child.unref();
    // The filler's pid tells a later clone whether the lock's holder is still alive.
    await writeLockPid(lock, child.pid);
  } catch (error) {
    await unlink(lock).catch(() => undefined);
    throw error;
  }
  return 'started';
}

/** Remove a refill lock file (the filler calls this when it is done, however it ends). */
export async function releaseRefillLock(lock: string): Promise<void> {
  await unlink(lock).catch(() => undefined);
}

async function createLock(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await isStale(lock))) return false;
      await unlink(lock).catch(() => undefined);
    }
  }
  return false;
}

async function writeLockPid(lock: string, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const handle = await open(lock, 'r+');
  try {
    await handle.writeFile(String(pid));
  } finally {
    await handle.close();
  }
}

async function isStale(lock: string): Promise<boolean> {
  const info = await stat(lock).catch(() => undefined);
  if (info === undefined) return true;
  if (Date.now() - info.mtimeMs > STALE_MS) return true;
  const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  // Empty: the clone that made it is about to write its filler's pid.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return !processAlive(pid);
}
