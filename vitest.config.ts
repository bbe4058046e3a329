import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL for the whole run (embedded, or DBFAST_TEST_DATABASE_URL).
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // A 2-core machine: two test files at a time keeps PostgreSQL and node from thrashing.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
