import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The bench's gates must fail when dbfast gets slower: DBFAST_BENCH_SLOWDOWN_MS puts a sleep
 * on dbfast's side of the clone measurement, and `--check` must then exit non-zero. This
 * asserts the gate's behaviour, not a speed (speed is measured in bench/, never in tests).
 * Runs the clone scenario only, on the test server, with the quick settings.
 */
it('fails the quick check when clone is slowed down by 200 ms', async () => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PG|DATABASE_URL$|DBFAST_)/.test(key)) env[key] = value;
  }
  const result = await execa(
    process.execPath,
    ['bench/run.js', '--quick', '--check', '--only', 'clone'],
    {
      cwd: ROOT,
      env: {
        ...env,
        DBFAST_BENCH_DATABASE_URL: inject('testDatabaseUrl'),
        DBFAST_BENCH_SLOWDOWN_MS: '200',
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    },
  );
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(1);
  // It failed on the gate, not because the bench broke.
  expect(result.stdout).toMatch(/clone\(\) \/ raw CREATE DATABASE: [\d.]+x \(<= [\d.]+x\)\s+FAIL/);
  expect(result.stdout).not.toContain('ERROR');
}, 300_000);
