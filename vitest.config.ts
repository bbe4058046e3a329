import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A summary of skipped tests at the end; one PostgreSQL for the whole run (embedded, or
    // DBFAST_TEST_DATABASE_URL), a backup server and a password-protected server.
    globalSetup: ['test/helpers/skip-summary.ts', 'test/helpers/global-setup.ts'],
    pool: 'forks',
    // A 2-core machine: two test files at a time keeps PostgreSQL and node from thrashing.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
