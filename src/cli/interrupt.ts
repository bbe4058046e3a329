/**
 * Ctrl-C during a long command (backup, restore, verify): instead of dying at once and
 * leaving a partial folder or a scratch database behind, abort the running work through an
 * AbortSignal; the core kills its child process, cleans up and throws `interrupted`, which
 * run.ts reports like any other error.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
