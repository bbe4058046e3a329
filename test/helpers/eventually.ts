/**
 * Poll `check` until it returns true or `ms` pass; returns whether it did. For what the
 * server finishes on its own after dbfast has returned (a replaced template's DROP, which
 * runs off the build's path and waits for a checkpoint on a durable server).
 */
export async function eventually(check: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
