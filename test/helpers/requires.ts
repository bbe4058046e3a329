import { appendFileSync, existsSync } from 'node:fs';
import { inject } from 'vitest';

/**
 * Gate for tests that need something a machine may lack (the SQL corpus, a server the
 * installed pg_dump can dump, psql). One rule everywhere:
 *
 *   const skip = requires('the corpus tests', corpusDir().missing, 'DBFAST_CORPUS');
 *   describe.skipIf(skip)('…', () => { … });
 *
 * - `missing` is undefined when everything is there: returns false (run the tests).
 * - Otherwise, outside CI: prints "skipped: <what>: <missing> (<setting>)", records it for the
 *   summary printed at the end of the run (test/helpers/skip-summary.ts), returns true.
 * - With `CI` set (any value but "" or "false"): throws, so the file FAILS: CI runs everything.
 *
 * `what` names the tests; `setting` names what to set (an env var) or do ("install psql").
 */
export function requires(what: string, missing: string | undefined, setting: string): boolean {
  if (missing !== undefined && inCi()) {
    throw new Error(`CI must run every test, but ${what} cannot run: ${missing} (${setting})`);
  }
  return optional(what, missing, setting);
}

/**
 * Like `requires`, for what CI is not expected to have either (a reflink file system): skips
 * with the same line and summary entry, and never throws, CI or not.
 */
export function optional(what: string, missing: string | undefined, setting: string): boolean {
  if (missing === undefined) return false;
  const reason = `${missing} (${setting})`;
  console.log(`skipped: ${what}: ${reason}`);
  const log = inject('skipLog');
  if (log !== undefined && log !== '') {
    appendFileSync(log, `${JSON.stringify({ what, reason })}\n`);
  }
  return true;
}

/** Whether this run is CI (where every gated test must run). */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** What to set to run the corpus tests (and the corpus benchmarks). */
export const CORPUS_SETTING = 'set DBFAST_CORPUS to the folder of SQL corpora';

/**
 * The folder of public SQL corpora (see the README's Development section): DBFAST_CORPUS,
 * with why it is unusable when it is. Never guessed from this machine's layout.
 */
export function corpusDir(): { dir: string; missing: string | undefined } {
  const dir = process.env.DBFAST_CORPUS ?? '';
  if (dir === '') return { dir, missing: 'the SQL corpus folder is not configured' };
  if (!existsSync(dir)) return { dir, missing: `the SQL corpus folder ${dir} does not exist` };
  return { dir, missing: undefined };
}
