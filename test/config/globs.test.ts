import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../../src/clone/clone-database.js';
import { scanRepository } from '../../src/sql/scan.js';
import { computeFingerprint } from '../../src/template/fingerprint.js';
import { type TempProject, tempProject } from '../helpers/project.js';

// Globs in dbfast.toml: character classes, alternatives and `!` used to be taken as literal
// text, so such a glob silently matched nothing.
describe('globs in include_files, exclude_files and extra_inputs', () => {
  let temp: TempProject;
  beforeAll(async () => {
    temp = await tempProject({
      files: {
        'sql/schema/1_a.sql': 'CREATE TABLE a (x int);\n',
        'sql/schema/2_b.sql': 'CREATE TABLE b (x int);\n',
        'sql/schema/x_c.sql': 'CREATE TABLE c (x int);\n',
        'sql/seed/users.sql': 'CREATE TABLE users (x int);\n',
        'sql/seed/orders.sql': 'CREATE TABLE orders (x int);\n',
        'sql/seed/other.sql': 'CREATE TABLE other (x int);\n',
        'sql/seed/.hidden.sql': 'CREATE TABLE hidden (x int);\n',
        'inputs/v1.json': '{}\n',
        'inputs/v2.json': '{}\n',
        'inputs/skip.json': '{}\n',
      },
      toml: `extra_inputs = ["inputs/v[0-9].json", "inputs/*.json", "!inputs/skip.json"]

[environments.digits]
include_files = ["schema/[0-9]_*.sql"]

[environments.alternatives]
include_files = ["seed/{users,orders}.sql"]

[environments.negated]
include_files = ["seed/*.sql", "!seed/orders.sql"]
exclude_files = ["seed/{other,users}.sql", "!seed/users.sql"]
`,
    });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  const selected = async (env: string): Promise<string[]> =>
    (await scanRepository(temp.project.config.repository.path, temp.project.environment(env))).map(
      (file) => file.path,
    );

  it('[0-9] is a character class', async () => {
    expect(await selected('digits')).toEqual(['schema/1_a.sql', 'schema/2_b.sql']);
  });

  it('{a,b} is a choice', async () => {
    expect(await selected('alternatives')).toEqual(['seed/orders.sql', 'seed/users.sql']);
  });

  it('! takes matches back out, in include_files and in exclude_files', async () => {
    // included: seed/* (dot files too) but orders; excluded: other (users is taken back out).
    expect(await selected('negated')).toEqual(['seed/.hidden.sql', 'seed/users.sql']);
  });

  it('extra_inputs expand [0-9] and * and leave out ! matches', async () => {
    const env = temp.project.environment('digits');
    const fingerprint = await computeFingerprint(temp.project.config, env, 15);
    expect(Object.keys(fingerprint.extraInputs)).toEqual([
      `${temp.dir}/inputs/v1.json`,
      `${temp.dir}/inputs/v2.json`,
    ]);
  });

  it('a clone of a {a,b} environment holds exactly those files', async () => {
    const clone = await cloneDatabase(temp.project, {
      env: 'alternatives',
      name: `${temp.prefix}_globs`,
    });
    expect(clone.templateBuilt).toBe(true);
    const tables = await temp.project.withClient(
      (client) =>
        client.query<{ name: string }>(
          "SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1",
        ),
      clone.name,
    );
    expect(tables.rows.map((row) => row.name)).toEqual(['orders', 'users']);
  });
});
