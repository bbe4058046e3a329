import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DbfastError } from '../errors.js';

/**
 * A lock file for work that must happen once per machine folder (starting the embedded
 * server), before any PostgreSQL exists to hold an advisory lock. Created with O_EXCL, so
 * exactly one process wins; a lock left by a process that died is taken over.
 */
export async function withLockFile<T>(
  path: string,
  fn: () => Promise<T>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await holderIsGone(path)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new DbfastError('server.lock_timeout', `Timed out waiting for the lock ${path}.`, {
          hint: 'Another dbfast process holds it. If none is running, delete the file.',
        });
      }
      await sleep(50 + Math.random() * 50);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function holderIsGone(path: string): Promise<boolean> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    // Written but not filled yet by a live process, or garbage: give it a moment first.
    return false;
  }
  return !processAlive(pid);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
