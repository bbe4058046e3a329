/**
 * Ctrl-C (or SIGTERM) during a command that creates something (template build, seed, clone,
 * backup, restore, verify): instead of dying at once and leaving a partial folder or a
 * scratch database behind, abort the running work through an
 * AbortSignal; the core kills its child process, cleans up and throws `interrupted`, which
 * run.ts reports like any other error (exit code 130). A second Ctrl-C, for a cleanup that hangs, is
 * handed back to Node's default (the process ends).
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      controller.abort();
      return;
    }
    remove();
    process.kill(process.pid, signal);
  };
  // process.on, not once: execa's exit hook re-raises a signal that no other listener
  // handles, which would end the process before the cleanup ran.
  const remove = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    remove();
  }
}
