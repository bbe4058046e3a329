import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { applyRepository } from '../../src/presets/apply.js';
import { validateEnvironment } from '../../src/presets/validate.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, dropDatabases, query } from '../helpers/server.js';

/** `[repository] extensions`: which file names count, and a warning for those that look like SQL but do not. */
describe('[repository] extensions', () => {
  let temp: TempProject | undefined;
  const databases: string[] = [];
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
    await dropDatabases(...databases.splice(0));
  });

  const files = {
    'sql/1_schema/001.sql.postgres': 'CREATE TABLE t (x int);\n',
    'sql/2_seed/001.sql': 'INSERT INTO t VALUES (1);\n',
    'sql/2_seed/t.csv': 'x\n2\n',
    'sql/notes/setup.psql': 'SELECT 1;\n',
  };

  it('runs .sql.postgres files when configured, in natural order with the others', async () => {
    temp = await tempProject({
      files,
      toml: 'extensions = [".sql", ".SQL.postgres", ".csv"]\n',
    });
    const database = await createDatabase();
    databases.push(database);
    const summary = await applyRepository(temp.project, { database });
    expect(summary.files.map((f) => [f.path, f.mode])).toEqual([
      ['1_schema/001.sql.postgres', 'transaction'],
      ['2_seed/001.sql', 'transaction'],
      ['2_seed/t.csv', 'csv'],
    ]);
    expect(await query(database, 'SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
    const validation = await validateEnvironment(temp.project);
    expect(validation.warnings).toEqual([
      '1 file looks like SQL but is not run (the name does not end with .sql, .sql.postgres, .csv; add its ending to [repository] extensions): notes/setup.psql',
    ]);
  });

  it('warns about SQL-looking files that the default extensions leave out', async () => {
    temp = await tempProject({ files });
    const validation = await validateEnvironment(temp.project);
    expect(validation.ok).toBe(true);
    expect(validation.warnings).toEqual([
      '2 files look like SQL but are not run (the name does not end with .sql, .csv; add its ending to [repository] extensions): 1_schema/001.sql.postgres, notes/setup.psql',
    ]);
  });

  it('rejects an ending without a dot, an encoding dbfast cannot read and client_encoding in settings', () => {
    expect(() =>
      resolveConfig(
        '[repository]\nextensions = ["sql"]\nencoding = "SJIS"\nsettings = { client_encoding = "LATIN1" }\n',
        {
          configPath: undefined,
          rootDir: '/tmp',
          env: {},
        },
      ),
    ).toThrow(
      /repository\.extensions: "sql" must start with a dot[\s\S]*repository\.encoding: "SJIS" is not an encoding dbfast can read[\s\S]*repository\.settings\.client_encoding: dbfast always talks UTF-8/,
    );
  });
});
