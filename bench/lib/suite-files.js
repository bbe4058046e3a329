import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The generated test suites of the suite scenario: FILES test files of TESTS tests each, run
 * by vitest with 2 workers, one folder per way of giving a file its database. Every test
 * does the same work on the example repository's schema (an insert, then a count). What
 * differs is only where the file's database comes from:
 *   dbfast   useTestDatabase({ per: 'file' }) from 'dbfast/vitest' (installed in the suite's
 *            node_modules), a pool claim or a clone, dropped at the end
 *   floor    one shared database for the whole suite, no isolation (the lower bound)
 *   replay   createdb + `psql -1 -f` of the repository per file, dropdb at the end
 *   pglite   PGlite per file, from a data directory dumped once (loadDataDir)
 */

export const FILES = 16;
export const TESTS = 3;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const work = `
async function work(query, n) {
  await query("INSERT INTO customer (email, name, country_code) VALUES ('suite' || ${'$'}1 || '@example.com', 'Suite', 'DE')", [String(process.pid) + '_' + n + '_' + Math.random()]);
  const { rows } = await query('SELECT count(*)::int AS n FROM customer');
  return rows[0].n;
}
`;

const tests = (countCheck) => `
for (let n = 1; n <= ${TESTS}; n += 1) {
  it('test ' + n, async () => {
    const count = await work(query, n);
    ${countCheck}
  });
}
`;

/** Files of one variant: [relative path, text]. */
function variantFiles(variant) {
  const header = "import { afterAll, beforeAll, expect, it } from 'vitest';\n";
  const pgClient = `
import pg from 'pg';
let client;
const query = (sql, params) => client.query(sql, params);
`;
  // An isolated database starts with the template's 2,000 customers: count is exact.
  const isolated = 'expect(count).toBe(2000 + n);';
  switch (variant) {
    case 'dbfast':
      return `${header}${pgClient}import { useTestDatabase } from 'dbfast/vitest';
const db = useTestDatabase({ per: 'file' });
beforeAll(async () => { client = new pg.Client({ connectionString: db.url }); await client.connect(); });
afterAll(async () => { await client.end(); });
${work}${tests(isolated)}`;
    case 'floor':
      return `${header}${pgClient}
beforeAll(async () => { client = new pg.Client({ connectionString: process.env.SUITE_SHARED_URL }); await client.connect(); });
afterAll(async () => { await client.end(); });
${work}${tests('expect(count).toBeGreaterThan(2000);')}`;
    case 'replay':
      return `${header}${pgClient}import { execFileSync } from 'node:child_process';
const name = 'suite_replay_' + process.pid + '_' + Math.random().toString(36).slice(2, 8);
beforeAll(async () => {
  execFileSync('createdb', [process.env.SUITE_PREFIX + name]);
  execFileSync('psql', [...JSON.parse(process.env.SUITE_PSQL_ARGS), '-d', process.env.SUITE_PREFIX + name]);
  client = new pg.Client({ database: process.env.SUITE_PREFIX + name }); await client.connect();
});
afterAll(async () => { await client.end(); execFileSync('dropdb', ['--force', process.env.SUITE_PREFIX + name]); });
${work}${tests(isolated)}`;
    case 'pglite':
      return `${header}import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
let db;
const query = (sql, params) => db.query(sql, params);
beforeAll(async () => {
  db = await PGlite.create({ loadDataDir: new Blob([readFileSync(process.env.SUITE_PGLITE_DUMP)]) });
});
afterAll(async () => { await db.close(); });
${work}${tests(isolated)}`;
    default:
      throw new Error(`unknown suite variant ${variant}`);
  }
}

/**
 * Write the suite of `variant` into `dir` (a vitest config, FILES test files, and for dbfast
 * its globalSetup). Returns the vitest command line.
 */
export async function writeSuite(dir, variant, { configPath } = {}) {
  await mkdir(join(dir, 'tests'), { recursive: true });
  await installed(dir);
  const setup = variant === 'dbfast' ? `globalSetup: ['./setup.mjs'], ` : '';
  if (variant === 'dbfast') {
    await writeFile(
      join(dir, 'setup.mjs'),
      `import { dbfastGlobalSetup } from 'dbfast/vitest/setup';\nexport default dbfastGlobalSetup({ configPath: ${JSON.stringify(configPath)}, databaseUrl: process.env.DATABASE_URL });\n`,
    );
  }
  await writeFile(
    join(dir, 'vitest.config.mjs'),
    `export default { test: { include: ['tests/*.test.mjs'], ${setup}pool: 'forks', maxWorkers: 2, minWorkers: 2, testTimeout: 120000, hookTimeout: 120000 } };\n`,
  );
  const text = variantFiles(variant);
  for (let i = 1; i <= FILES; i += 1)
    await writeFile(join(dir, 'tests', `f${String(i).padStart(2, '0')}.test.mjs`), text);
  return [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs'];
}

/**
 * node_modules as a user's project has it: every package of this checkout (symlinks), and
 * dbfast itself as an installed package (a copy of package.json, bin/ and the built dist/).
 * Imported by path instead, vitest would transform dbfast's modules in every test file like
 * the user's own source (vitest externalizes only what lives under node_modules/).
 */
async function installed(dir) {
  const modules = join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  for (const entry of await readdir(join(ROOT, 'node_modules'))) {
    if (entry === 'dbfast' || entry.startsWith('.')) continue;
    await symlink(join(ROOT, 'node_modules', entry), join(modules, entry)).catch((error) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const dbfast = join(modules, 'dbfast');
  for (const part of ['package.json', 'bin', 'dist'])
    await cp(join(ROOT, part), join(dbfast, part), { recursive: true });
}
