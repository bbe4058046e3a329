import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The quick check of one scenario on the test server, without DBFAST_CORPUS. */
async function check(extra: string[], only = 'build') {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PG|DATABASE_URL$|DBFAST_)/.test(key)) env[key] = value;
  }
  return execa(process.execPath, ['bench/run.js', '--quick', '--check', '--only', only, ...extra], {
    cwd: ROOT,
    env: { ...env, DBFAST_BENCH_DATABASE_URL: inject('testDatabaseUrl') },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
}

/**
 * A gate that never ran checked nothing: a part that is "not available" (here the corpora,
 * without DBFAST_CORPUS) fails `--check`, unless --allow-unavailable names its scenario.
 */
it('a part that is not available fails --check unless explicitly allowed', async () => {
  const strict = await check([]);
  expect(strict.exitCode, `${strict.stdout}\n${strict.stderr}`).toBe(1);
  expect(strict.stdout).toMatch(/part\(s\) not available \(--allow-unavailable build to accept\)/);
  // (Without psql the whole scenario is not available, which fails it the same way.)
  expect(strict.stdout).toMatch(
    /build( · corpora)?: not available: (DBFAST_CORPUS is not set|psql)/,
  );
  expect(strict.stdout).not.toContain('ERROR');
  const allowed = await check(['--allow-unavailable', 'build']);
  expect(allowed.stdout).not.toContain('not available (--allow-unavailable');
  expect(allowed.stdout).not.toContain('ERROR');
}, 300_000);

/**
 * The cow scenario needs a reflink file system most machines lack: "not available" there,
 * with how to provide one, and --check accepts that without --allow-unavailable.
 */
it('the copy-on-write scenario is not available without a reflink folder, and --check passes', async () => {
  const result = await check([], 'cow');
  expect(result.stdout).toMatch(
    /cow: not available: no reflink file system: .*DBFAST_BENCH_REFLINK_DIR/,
  );
  expect(result.stdout).not.toContain('ERROR');
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
}, 120_000);
