import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRepository } from '../../src/presets/apply.js';
import { planFile } from '../../src/sql/plan.js';
import { tempProject } from '../helpers/project.js';
import { createDatabase, dropDatabases, query } from '../helpers/server.js';
import { columnOf, failure, removeRepo, rowCounts, runRepo, tempRepo } from './helpers.js';

const databases: string[] = [];
const roots: string[] = [];

async function freshDb(): Promise<string> {
  const name = await createDatabase();
  databases.push(name);
  return name;
}

async function repo(files: Record<string, string>): Promise<string> {
  const root = await tempRepo(files);
  roots.push(root);
  return root;
}

async function tables(database: string): Promise<string[]> {
  const rows = await query<{ t: string }>(
    database,
    "SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1",
  );
  return rows.map((r) => r.t);
}

afterAll(async () => {
  await dropDatabases(...databases);
  for (const root of roots) await removeRepo(root);
});

describe('the example repository', () => {
  it('loads through applyRepository with the project settings, CSV included', async () => {
    const temp = await tempProject();
    try {
      await cp(new URL('../../sql', import.meta.url).pathname, join(temp.dir, 'sql'), {
        recursive: true,
      });
      const database = await freshDb();
      const events: string[] = [];
      const verbose: string[] = [];
      const project = temp.reopen();
      Object.assign(project.reporter, {
        progress: (e: { done: number; total: number; label?: string }) =>
          events.push(`${e.done}/${e.total} ${e.label ?? ''}`.trim()),
        verbose: (m: string) => verbose.push(m),
      });
      const summary = await applyRepository(project, { database });
      expect(summary.files.map((f) => [f.path, f.mode])).toEqual([
        ['0_schema/001_tables.sql', 'transaction'],
        ['0_schema/002_functions.sql', 'transaction'],
        ['1_seed_common/001_products.sql', 'transaction'],
        ['1_seed_common/country.csv', 'csv'],
        ['2_seed_dev/001_customers.sql', 'transaction'],
        ['2_seed_dev/002_orders.sql', 'transaction'],
      ]);
      expect(events[0]).toBe('0/6 0_schema/001_tables.sql');
      expect(events.at(-1)).toBe('6/6');
      expect(verbose[0]).toMatch(/^0_schema\/001_tables\.sql took \d+ ms$/);
      const counts = await rowCounts(database);
      expect(counts).toEqual({
        'public.country': 5,
        'public.product': 200,
        'public.customer': 2000,
        'public.customer_order': 5000,
        'public.order_line': 15000,
      });
      expect(summary.rows).toBe(5 + 200 + 2000 + 5000 + 15000);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('error locations', () => {
  it('points a syntax error after multi-byte characters at file:line:col, and runs nothing of the file', async () => {
    const line3 = "INSERT INTO t VALUES (1, 'Avañe''ẽ 😀 🎉'); SELEC 1;";
    const root = await repo({
      '0_ok/001.sql': 'CREATE TABLE kept (id int);\n',
      '1_bad/001_multibyte.sql': `-- ẽ 😀 comment with emoji\nCREATE TABLE t (id int PRIMARY KEY, label text);\n${line3}\n`,
    });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    const column = columnOf(line3, 'SELEC 1');
    expect(error.message).toBe(
      `1_bad/001_multibyte.sql:3:${column}: ERROR: syntax error at or near "SELEC"`,
    );
    expect(error.location).toMatchObject({ file: '1_bad/001_multibyte.sql', line: 3, column });
    expect(error.location?.excerpt?.split('\n').at(-1)).toBe(`  | ${' '.repeat(column - 1)}^`);
    expect(error.pg?.code).toBe('42601');
    expect(await tables(database)).toEqual(['kept']);
  });

  it('points a constraint violation (no position) at the failing statement of a batch', async () => {
    const file =
      "CREATE TABLE t (id int PRIMARY KEY, label text);\nINSERT INTO t VALUES (1, 'ẽ');\nINSERT INTO t VALUES (2, '😀'); INSERT INTO t\n  VALUES (1, 'dup');\nINSERT INTO t VALUES (3, 'never');\n";
    const root = await repo({ 'data.sql': file });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.message).toBe(
      `data.sql:3:${columnOf("INSERT INTO t VALUES (2, '😀'); INSERT", '; INSERT') + 2}: ERROR: duplicate key value violates unique constraint "t_pkey"`,
    );
    expect(error.pg).toMatchObject({ code: '23505', detail: 'Key (id)=(1) already exists.' });
    expect(await tables(database)).toEqual([]);
  });

  it('points an error inside a PL/pgSQL function at the line in the function body', async () => {
    const fn = [
      '-- ẽ😀 functions',
      'CREATE FUNCTION count_missing() RETURNS bigint LANGUAGE plpgsql AS $$',
      'DECLARE n bigint;',
      'BEGIN',
      '  -- 😀 a comment',
      "  SELECT count(*) INTO n FROM (SELECT 'ẽ😀' AS x) AS s, nope;",
      '  RETURN n;',
      'END',
      '$$;',
      'CREATE FUNCTION divide() RETURNS int LANGUAGE plpgsql AS $body$',
      'BEGIN',
      '  RETURN 1 / 0;',
      'END $body$;',
    ].join('\n');
    const root = await repo({
      '0_schema/fn.sql': fn,
      '1_data/a.sql': 'SELECT 1;\nSELECT count_missing();\n',
      '1_data/b.sql': '\n\nSELECT divide();\n',
    });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    const line6 = fn.split('\n')[5] as string;
    expect(error.message).toBe(
      `0_schema/fn.sql:6:${columnOf(line6, 'nope')}: ERROR: relation "nope" does not exist (in function count_missing(), called from 1_data/a.sql:2:1)`,
    );
    expect(error.location).toMatchObject({
      file: '0_schema/fn.sql',
      line: 6,
      column: columnOf(line6, 'nope'),
    });
    expect(error.pg?.where).toMatch(/PL\/pgSQL function count_missing\(\) line 5/);

    const root2 = await repo({ '0_schema/fn.sql': fn, '1_data/b.sql': '\n\nSELECT divide();\n' });
    const error2 = await failure(runRepo(root2, await freshDb()));
    expect(error2.message).toBe(
      '0_schema/fn.sql:12:3: ERROR: division by zero (in function divide(), called from 1_data/b.sql:3:1)',
    );
  });

  it('points an error in a DO block at its line', async () => {
    const file = "SELECT 'ẽ😀';\nDO $$\nBEGIN\n  RAISE NOTICE 'ẽ';\n  PERFORM 1 / 0;\nEND $$;\n";
    const root = await repo({ 'do.sql': file });
    const error = await failure(runRepo(root, await freshDb()));
    expect(error.message).toBe('do.sql:5:3: ERROR: division by zero');
  });

  it('points a bad COPY data row at its line', async () => {
    const file =
      'CREATE TABLE t (id int, name text);\nCOPY t (id, name) FROM stdin;\n1\tẽ😀\n2\ttwo\nthree\t3\n\\.\n';
    const root = await repo({ 'copy.sql': file });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.message).toMatch(
      /^copy\.sql:5:1: ERROR: invalid input syntax for type integer: "three"/,
    );
    expect(await tables(database)).toEqual([]);
  });

  it('points a bad CSV row at its line', async () => {
    const root = await repo({
      '0.sql': 'CREATE TABLE app_user (id int, "Name" text);',
      'app_user.csv': 'id,Name\n1,"a, ""b"""\nx,c\n',
    });
    const error = await failure(runRepo(root, await freshDb()));
    expect(error.message).toMatch(
      /^app_user\.csv:3:1: ERROR: invalid input syntax for type integer: "x"/,
    );
  });
});

describe('transactions', () => {
  it('runs CREATE INDEX CONCURRENTLY, VACUUM and a committing DO block between transactions', async () => {
    const file = [
      'CREATE TABLE t (id int);',
      'INSERT INTO t SELECT generate_series(1, 100);',
      'CREATE INDEX CONCURRENTLY t_id ON t (id);',
      'VACUUM ANALYZE t;',
      'DO $$ BEGIN FOR i IN 1..3 LOOP INSERT INTO t VALUES (1000 + i); COMMIT; END LOOP; END $$;',
      'INSERT INTO t VALUES (0);',
      'CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;',
    ].join('\n');
    const root = await repo({ 'x.sql': file });
    const database = await freshDb();
    const summary = await runRepo(root, database);
    expect(summary.files[0]).toMatchObject({ mode: 'transaction', statements: 7 });
    const rows = await query<{ n: string; valid: boolean }>(
      database,
      "SELECT total()::text AS n, (SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass) AS valid",
    );
    expect(rows[0]).toEqual({ n: '104', valid: true });
  });

  it('leaves nothing of a failed file behind, and keeps the files before it', async () => {
    const root = await repo({
      '1.sql': 'CREATE TABLE first (id int); INSERT INTO first VALUES (1);',
      '2.sql':
        'CREATE TABLE second (id int);\nINSERT INTO second VALUES (1);\nCOPY second FROM stdin;\n2\n\\.\nCREATE SCHEMA s;\nSELECT 1/0;\n',
    });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.message).toBe('2.sql:7:1: ERROR: division by zero');
    expect(await tables(database)).toEqual(['first']);
    expect(await query(database, "SELECT 1 FROM pg_namespace WHERE nspname = 's'")).toEqual([]);
  });

  it('runs files with their own BEGIN/COMMIT, or the no-transaction marker, in autocommit', async () => {
    const root = await repo({
      '1.sql':
        'CREATE TABLE t (id int);\nBEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nBEGIN;\nINSERT INTO t VALUES (2);\nROLLBACK;\n',
      '2.sql': '-- dbfast:no-transaction\nINSERT INTO t VALUES (3);\nSELECT 1/0;\n',
    });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.message).toBe('2.sql:3:1: ERROR: division by zero');
    // Autocommit: what ran before the error stays (as with psql).
    expect(await query(database, 'SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('refuses a file that leaves its own transaction open', async () => {
    const root = await repo({ 'open.sql': 'BEGIN;\nCREATE TABLE t (id int);\n' });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.code).toBe('sql.transaction_open');
    expect(await tables(database)).toEqual([]);
  });

  it('applies the settings before each file, in a reset session', async () => {
    const root = await repo({
      '0.sql': 'CREATE SCHEMA app; CREATE TABLE app.t (v text);',
      '1.sql':
        "SET application_name = 'changed'; INSERT INTO t VALUES (current_setting('search_path'));",
      '2.sql': "INSERT INTO t VALUES (current_setting('application_name'));",
    });
    const database = await freshDb();
    await runRepo(root, database, { settings: { search_path: 'app, public' } });
    expect(await query(database, 'SELECT v FROM app.t')).toEqual([
      { v: 'app, public' },
      { v: 'dbfast' },
    ]);
  });
});

describe('psql meta-commands', () => {
  let database: string;
  beforeAll(async () => {
    database = await freshDb();
  });

  it('follows \\i (from the root) and \\ir (from the file), and locates errors in included files', async () => {
    const root = await repo({
      'main.sql':
        "\\set ON_ERROR_STOP on\n\\restrict abc\n\\ir parts/a.sql\nINSERT INTO t VALUES ('main');\n\\unrestrict abc\n",
      'parts/a.sql': "CREATE TABLE t (v text);\n\\i 'lib/b.sql'\n",
      'lib/b.sql': "INSERT INTO t VALUES ('b');\n",
    });
    // Only main.sql is a repository file here: the others are included.
    const files = [
      { path: 'main.sql', absolutePath: join(root, 'main.sql'), kind: 'sql' as const },
    ];
    const { executeFiles } = await import('../../src/sql/executor.js');
    const { testServer } = await import('../helpers/server.js');
    await executeFiles(testServer(), database, files, { root });
    expect(await query(database, 'SELECT v FROM t')).toEqual([{ v: 'b' }, { v: 'main' }]);

    const bad = await repo({
      'main.sql': '\\ir x/inc.sql\n',
      'x/inc.sql': 'SELECT 1;\n\nSELECT nope;\n',
    });
    const error = await failure(
      executeFiles(
        testServer(),
        database,
        [{ path: 'main.sql', absolutePath: join(bad, 'main.sql'), kind: 'sql' }],
        { root: bad },
      ),
    );
    expect(error.message).toBe('x/inc.sql:3:8: ERROR: column "nope" does not exist');
  });

  it('lists the files a plan reads, for the fingerprint', async () => {
    const root = await repo({
      'sql/main.sql': '\\include_relative ../shared/a.sql\n\\i sql/b.sql\n\\gset\n\\ir main.sql\n',
      'sql/b.sql': 'SELECT 1;',
      'shared/a.sql': 'SELECT 2;',
    });
    const plan = await planFile(join(root, 'sql/main.sql'), { root, metas: 'lenient' });
    expect(plan.files).toEqual([
      join(root, 'sql/main.sql'),
      join(root, 'shared/a.sql'),
      join(root, 'sql/b.sql'),
    ]);
  });

  it('stops on an include cycle and a missing include, with file:line', async () => {
    const root = await repo({ 'a.sql': 'SELECT 1;\n\\ir b.sql\n', 'b.sql': '\\ir a.sql\n' });
    const error = await failure(runRepo(root, database));
    expect(error.code).toBe('sql.include_cycle');
    expect(error.message).toMatch(/^b\.sql:1:1: .*a\.sql -> b\.sql -> a\.sql/);
    const missing = await repo({ 'a.sql': '\n\\i nothere.sql\n' });
    const error2 = await failure(runRepo(missing, database));
    expect(error2.message).toMatch(/^a\.sql:2:1: Cannot read nothere\.sql/);
  });

  it('hints at runner = "psql" for a psql variable, and passes notices to verbose', async () => {
    const root = await repo({
      '1.sql': "DO $$ BEGIN RAISE NOTICE 'hello ẽ'; END $$;\n",
      '2.sql': 'SELECT 1;\nALTER DATABASE :DBNAME SET x.y = 1;\n',
    });
    const verbose: string[] = [];
    const error = await failure(
      runRepo(root, database, { reporter: { verbose: (m) => verbose.push(m) } }),
    );
    expect(error.message).toBe('2.sql:2:16: ERROR: syntax error at or near ":"');
    expect(error.hint).toMatch(/psql variable .*runner = "psql"/);
    expect(verbose).toContain('1.sql: NOTICE: hello ẽ');
  });

  it('names any other command with its file:line and points at runner = "psql", before running anything', async () => {
    const root = await repo({
      '1.sql': 'CREATE TABLE never (id int);',
      '2.sql': 'SELECT 1;\n\\gexec\n',
    });
    const db = await freshDb();
    const error = await failure(runRepo(root, db));
    expect(error.code).toBe('sql.meta_unsupported');
    expect(error.message).toBe('2.sql:2:1: The psql command \\gexec cannot run without psql.');
    expect(error.hint).toMatch(/runner = "psql"/);
    expect(await tables(db)).toEqual([]);
  });
});
