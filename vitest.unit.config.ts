import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tests that need no PostgreSQL server (pure logic, files, fake
 * tools), in seconds. Every other test file needs the server that global-setup.ts provides.
 */
export const UNIT_TESTS = [
  'test/api/exports.test.ts',
  'test/backup/prune.test.ts',
  'test/backup/tools.test.ts',
  'test/clone/strategy.test.ts',
  'test/config/config.test.ts',
  'test/config/schema.test.ts',
  'test/package/package.test.ts',
  'test/remote/edit.test.ts',
  'test/server/identifiers.test.ts',
  'test/sql/lexer.test.ts',
  'test/sql/lexer-corpus.test.ts',
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    globalSetup: ['test/helpers/skip-summary.ts'],
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
  },
});
