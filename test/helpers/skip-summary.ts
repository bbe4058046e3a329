import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** JSON lines of the tests that requires() skipped (see requires.ts). */
    skipLog: string;
  }
}

/**
 * Global setup of every run: a file where requires() records what it skipped, and at the end
 * of the run one summary of what was skipped and what to set to run it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-test-skips-'));
  const log = join(dir, 'skipped.jsonl');
  project.provide('skipLog', log);
  return async () => {
    const text = await readFile(log, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    const seen = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const { what, reason } = JSON.parse(line) as { what: string; reason: string };
      seen.add(`  - ${what}: ${reason}`);
    }
    if (seen.size === 0) return;
    console.log(
      `\nSkipped because this machine lacks something (CI=true makes these fail instead, except optional ones: see requires.ts):\n${[...seen].join('\n')}\n`,
    );
  };
}
