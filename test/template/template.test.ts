import { afterEach, describe, expect, it } from 'vitest';
import { readMetadata, type TemplateMetadata, writeMetadata } from '../../src/catalog/label.js';
import { templateDatabaseName } from '../../src/catalog/names.js';
import { workPrefix } from '../../src/catalog/work.js';
import { resolveConfig } from '../../src/config/load.js';
import { ensureTemplate, templateStatus } from '../../src/index.js';
import { Project } from '../../src/project.js';
import { withClient } from '../../src/server/connection.js';
import { databaseIdent } from '../../src/server/identifiers.js';
import { computeFingerprint } from '../../src/template/fingerprint.js';
import { dropTemplates, listTemplates } from '../../src/template/manage.js';
import { EXAMPLE_ENVIRONMENTS, exampleFiles } from '../helpers/example.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';

describe('template builder', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('builds the example repository into a template marked IS_TEMPLATE and ALLOW_CONNECTIONS false, with metadata', async () => {
    temp = await tempProject({ files: exampleFiles(), toml: EXAMPLE_ENVIRONMENTS });
    const result = await ensureTemplate(temp.project);
    expect(result.built).toBe(true);
    expect(result.name).toMatch(new RegExp(`^${temp.prefix}_local_[0-9a-f]{12}$`));
    const [row] = await query<{ datistemplate: boolean; datallowconn: boolean }>(
      'postgres',
      'SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1',
      [result.name],
    );
    expect(row).toEqual({ datistemplate: true, datallowconn: false });
    const metadata = await withClient(testServer(), (c) => readMetadata(c, result.name));
    expect(metadata).toMatchObject({
      dbfast: 'template',
      complete: true,
      env: 'local',
      fingerprint: result.fingerprint,
    });
    expect(Object.keys((metadata as { files: Record<string, string> }).files)).toEqual([
      '0_schema/001_tables.sql',
      '0_schema/002_functions.sql',
      '1_seed_common/001_products.sql',
      '1_seed_common/country.csv',
      '2_seed_dev/001_customers.sql',
      '2_seed_dev/002_orders.sql',
    ]);
    // No scratch database is left behind.
    const leftovers = await query(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [workPrefix(temp.project.id)],
    );
    expect(leftovers).toEqual([]);
  });

  it('does not rebuild unchanged files, and rebuilds on content, file set, environment config or extra inputs, saying why', async () => {
    temp = await tempProject({
      files: {
        'sql/0_schema/001.sql': 'CREATE TABLE a (x int);\n',
        'sql/1_seed/001.sql': 'INSERT INTO a VALUES (1);\n',
        'seed.js': '// v1\n',
      },
      toml: '[environments.local]\ninclude_directories = ["0_schema", "1_seed"]\n',
    });
    const first = await ensureTemplate(temp.project);
    expect(first.built).toBe(true);
    const again = await ensureTemplate(temp.project);
    expect(again).toMatchObject({ built: false, name: first.name });
    expect((await templateStatus(temp.project)).current).toBe(true);

    // content
    await temp.write('sql/1_seed/001.sql', 'INSERT INTO a VALUES (2);\n');
    let status = await templateStatus(temp.project);
    expect(status).toMatchObject({ current: false, reasons: ['changed: 1_seed/001.sql'] });
    const second = await ensureTemplate(temp.project);
    expect(second).toMatchObject({ built: true, reasons: ['changed: 1_seed/001.sql'] });
    expect(second.name).not.toBe(first.name);

    // file set
    await temp.write('sql/1_seed/002.sql', 'INSERT INTO a VALUES (3);\n');
    status = await templateStatus(temp.project);
    expect(status.reasons).toEqual(['added: 1_seed/002.sql']);
    await ensureTemplate(temp.project);

    // environment config
    const base = `[database]\nurl = "postgres://${testServer().user}@${testServer().host}:${testServer().port}/${testServer().database}"\ntemplate_name = "${temp.prefix}"\n[repository]\npath = "./sql"\n`;
    await temp.write(
      'dbfast.toml',
      `${base}[environments.local]\ninclude_directories = ["0_schema"]\n`,
    );
    status = await templateStatus(temp.reopen());
    expect(status.reasons).toEqual(
      expect.arrayContaining([
        'removed: 1_seed/001.sql',
        'removed: 1_seed/002.sql',
        'the configuration of environment "local" (directories, files, runner or settings) changed',
      ]),
    );

    // extra inputs
    await temp.write(
      'dbfast.toml',
      `${base.replace('path = "./sql"', 'path = "./sql"\nextra_inputs = ["seed.js"]')}[environments.local]\ninclude_directories = ["0_schema", "1_seed"]\n`,
    );
    const withExtra = await ensureTemplate(temp.reopen());
    expect(withExtra.built).toBe(true);
    expect((await ensureTemplate(temp.project)).built).toBe(false);
    await temp.write('seed.js', '// v2\n');
    status = await templateStatus(temp.project);
    expect(status.reasons).toEqual([`extra input changed: ${temp.dir}/seed.js`]);
  });

  it('rebuilds when the server major version differs from the recorded one', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const built = await ensureTemplate(temp.project);
    const env = temp.project.environment();
    // Make the template look as if an older server built it: the name and metadata it would
    // have had on major - 1 (what a server upgrade leaves behind).
    const older = built.serverMajor - 1;
    const old = await computeFingerprint(temp.project.config, env, older);
    expect(old.hash).not.toBe(built.fingerprint);
    const oldName = templateDatabaseName(
      temp.project.config.database.templateName,
      temp.project.config.project.name,
      env.name,
      old.hash,
    );
    await withClient(testServer(), async (c) => {
      const metadata = (await readMetadata(c, built.name)) as TemplateMetadata;
      await c.query(
        `ALTER DATABASE ${databaseIdent(built.name)} RENAME TO ${databaseIdent(oldName)}`,
      );
      await writeMetadata(c, oldName, { ...metadata, fingerprint: old.hash, serverMajor: older });
    });
    const rebuilt = await ensureTemplate(temp.project);
    expect(rebuilt).toMatchObject({
      built: true,
      name: built.name,
      serverMajor: built.serverMajor,
    });
    expect(rebuilt.reasons).toEqual([
      `the server's major version changed (${older} -> ${built.serverMajor})`,
    ]);
    const again = await ensureTemplate(temp.project);
    expect(again).toMatchObject({ built: false, name: built.name });
  });

  it('treats a template past its ttl as stale and rebuilds it', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (t timestamptz DEFAULT now());\n' },
      toml: '[environments.local]\nttl = "1s"\n',
    });
    const first = await ensureTemplate(temp.project);
    await new Promise((r) => setTimeout(r, 1200));
    const status = await templateStatus(temp.project);
    expect(status.current).toBe(false);
    expect(status.reasons[0]).toMatch(/^its ttl passed/);
    const second = await ensureTemplate(temp.project);
    expect(second).toMatchObject({ built: true, name: first.name, reasons: ['its ttl passed'] });
  });

  it('lists templates as current or stale and drops stale ones only', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const old = await ensureTemplate(temp.project);
    await temp.write('sql/a.sql', 'CREATE TABLE a (x bigint);\n');
    const current = await ensureTemplate(temp.project);
    const list = await listTemplates(temp.project);
    expect(list.map((t) => [t.name, t.current]).sort()).toEqual(
      [
        [current.name, true],
        [old.name, false],
      ].sort(),
    );
    expect(await dropTemplates(temp.project, { stale: true, keep: 0, unusedForMs: 0 })).toEqual([
      old.name,
    ]);
    expect((await listTemplates(temp.project)).map((t) => t.name)).toEqual([current.name]);
    await expect(dropTemplates(temp.project, { names: ['postgres_x'] })).rejects.toThrow(
      'Not a dbfast template of this project: postgres_x.',
    );
  });

  it('a failed build leaves nothing that looks like a template and reports the SQL error', async () => {
    temp = await tempProject({
      files: {
        'sql/a.sql': 'CREATE TABLE a (x int);\n',
        'sql/b.sql': 'INSERT INTO nope VALUES (1);\n',
      },
    });
    await expect(ensureTemplate(temp.project)).rejects.toThrow(
      /b\.sql:1:13: ERROR: relation "nope" does not exist/,
    );
    const left = await query(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [temp.prefix],
    );
    expect(left).toEqual([]);
  });

  it('resolves an inline config too (library use without a file)', () => {
    const config = resolveConfig('[database]\ntemplate_name = "inline"\n', {
      configPath: undefined,
      rootDir: '/tmp',
      env: {},
    });
    expect(new Project(config).config.database.templateName).toBe('inline');
  });
});
