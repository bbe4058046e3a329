import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listPgTools } from '../../src/server/pg-tools.js';
import { executeFiles } from '../../src/sql/executor.js';
import { psqlEnv } from '../../src/sql/psql-runner.js';
import { createDatabase, dropDatabases, query, testServer } from '../helpers/server.js';
import { failure, removeRepo, runRepo } from './helpers.js';

/**
 * What psql would build, dbfast builds: declared file encodings, standard_conforming_strings
 * = off, and the psql commands the pg runner evaluates (\set, \unset, \copy, \echo,
 * \encoding, \if). Where psql is installed, the same files are also loaded with psql and
 * the rows compared.
 */
const psql = (await listPgTools('psql'))[0];
if (psql === undefined && process.env.CI === 'true') {
  throw new Error('CI: psql is not installed, so dbfast cannot be compared with it');
}
if (psql === undefined)
  console.log('fidelity: psql is not installed: the psql comparisons are skipped');

const databases: string[] = [];
const roots: string[] = [];
afterAll(async () => {
  await dropDatabases(...databases);
  for (const root of roots) await removeRepo(root);
});

async function freshDb(): Promise<string> {
  const name = await createDatabase();
  databases.push(name);
  return name;
}

/** A repository of files given as text or raw bytes. */
async function repo(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dbfast-fidelity-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

async function rows(database: string, sql = 'SELECT s FROM t ORDER BY 1'): Promise<unknown[]> {
  return (await query<Record<string, unknown>>(database, sql)).map((r) => Object.values(r)[0]);
}

/** Load `files` (in order) with `psql -X -q -v ON_ERROR_STOP=1 -f`, as a user would. */
async function loadWithPsql(root: string, files: string[]): Promise<string | undefined> {
  if (psql === undefined) return undefined;
  const { execa } = await import('execa');
  const database = await freshDb();
  for (const file of files) {
    await execa(psql.path, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], {
      cwd: root,
      env: { ...psqlEnv(testServer(), database, {}), PGCLIENTENCODING: 'UTF8' },
    });
  }
  return database;
}

async function sameAsPsql(root: string, files: string[], database: string, sql?: string) {
  const psqlDb = await loadWithPsql(root, files);
  if (psqlDb !== undefined) expect(await rows(database, sql)).toEqual(await rows(psqlDb, sql));
}

describe('file encodings', () => {
  it('decodes a Latin-1 file that declares its encoding, COPY data included', async () => {
    const root = await repo({
      '1.sql': latin1(
        "BEGIN;\nSET client_encoding = 'LATIN1';\nCREATE TABLE t (s text);\nINSERT INTO t VALUES ('Cura\xe7ao');\nCOPY t (s) FROM stdin;\n\xb4s-Hertogenbosch\n\\.\nCOMMIT;\nSELECT 1;\n",
      ),
    });
    const database = await freshDb();
    await runRepo(root, database);
    expect(await rows(database)).toEqual(['Curaçao', '´s-Hertogenbosch']);
    await sameAsPsql(root, ['1.sql'], database);
    // The session went on in UTF-8: the executor's own connection was not left in LATIN1.
    expect(await rows(database, 'SELECT count(*)::int AS n FROM t')).toEqual([2]);
  });

  it('decodes Windows-1252 declared with set_config() and \\encoding, in file order', async () => {
    const root = await repo({
      '1.sql': Buffer.concat([
        Buffer.from("CREATE TABLE t (s text);\nINSERT INTO t VALUES ('ü-utf8');\n"),
        latin1(
          "SELECT pg_catalog.set_config('client_encoding', 'WIN1252', false);\nINSERT INTO t VALUES ('\x80 \x92a\x92');\n",
        ),
      ]),
      '2.sql': Buffer.concat([
        Buffer.from("INSERT INTO t VALUES ('ß-utf8');\n\\encoding windows-1252\n"),
        latin1("INSERT INTO t VALUES ('\x93q\x94');\n"),
      ]),
    });
    const database = await freshDb();
    await runRepo(root, database);
    expect(await rows(database)).toEqual(['ß-utf8', 'ü-utf8', '€ ’a’', '“q”'].sort());
    await sameAsPsql(root, ['1.sql', '2.sql'], database);
  });

  it('refuses an undeclared invalid byte at its line and column, before anything runs', async () => {
    const root = await repo({
      '1.sql': 'CREATE TABLE never (id int);\n',
      '2.sql': latin1("CREATE TABLE t (s text);\nINSERT INTO t VALUES ('Cura\xe7ao');\n"),
    });
    const database = await freshDb();
    const error = await failure(runRepo(root, database));
    expect(error.code).toBe('sql.encoding');
    expect(error.message).toBe(
      // The bytes the server would name: as many as the first one announces.
      '2.sql:2:28: ERROR: invalid byte sequence for encoding "UTF8": 0xe7 0x61 0x6f',
    );
    expect(await rows(database, "SELECT to_regclass('never')::text AS t")).toEqual([null]);
  });

  it.skipIf(psql === undefined)(
    'runner = "psql": the excerpt of a failing Latin-1 file is decoded in the environment encoding',
    async () => {
      const root = await repo({
        '1.sql': latin1("CREATE TABLE t (s text);\nINSERT INTO t VALUES ('Cura\xe7ao', 1);\n"),
      });
      const error = await failure(
        runRepo(root, await freshDb(), { runner: 'psql', encoding: 'LATIN1' }),
      );
      expect(error.message).toMatch(/^1\.sql:2:1: ERROR: {1,2}INSERT has more expressions/);
      expect(error.location?.excerpt).toContain("INSERT INTO t VALUES ('Curaçao', 1);");
      expect(error.location?.excerpt).not.toContain('\uFFFD');
    },
  );

  it('refuses a byte with no Unicode equivalent in the declared encoding', async () => {
    const root = await repo({
      '1.sql': latin1("SET client_encoding TO 'WIN1252';\nSELECT 'a\x81';\n"),
    });
    const error = await failure(runRepo(root, await freshDb()));
    expect(error.message).toBe(
      '1.sql:2:10: ERROR: character with byte sequence 0x81 in encoding "WIN1252" has no equivalent in encoding "UTF8"',
    );
  });

  it('skips a UTF-8 byte order mark, and refuses encodings it cannot read safely', async () => {
    const root = await repo({
      '1.sql': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from("CREATE TABLE t (s text);\nINSERT INTO t VALUES ('é');\n"),
      ]),
    });
    const database = await freshDb();
    await runRepo(root, database);
    expect(await rows(database)).toEqual(['é']);
    const sjis = await repo({ '1.sql': "SELECT 1;\nSET client_encoding = 'SJIS';\n" });
    const error = await failure(runRepo(sjis, await freshDb()));
    expect(error.message).toMatch(/^1\.sql:2:1: dbfast cannot read files in SJIS/);
    expect(error.hint).toMatch(/runner = "psql"/);
  });
});

describe('standard_conforming_strings = off', () => {
  it('reads the rest of the file with backslash escapes, as psql does', async () => {
    const root = await repo({
      '1.sql':
        "SET standard_conforming_strings = off;\nCREATE TABLE t (s text);\nINSERT INTO t VALUES ('it\\'s'), ('a\\\\b;c');\nSET standard_conforming_strings = on;\nINSERT INTO t VALUES ('x\\y');\n",
    });
    const database = await freshDb();
    const summary = await runRepo(root, database);
    expect(summary.statements).toBe(5);
    expect(await rows(database)).toEqual(["it's", 'a\\b;c', 'x\\y'].sort());
    await sameAsPsql(root, ['1.sql'], database);
  });
});

describe('psql commands in the pg runner', () => {
  it('runs \\set, \\unset, the three interpolations, \\if and \\echo', async () => {
    const root = await repo({
      '1.sql': [
        '\\unset ON_ERROR_STOP',
        '\\set ON_ERROR_STOP on',
        '\\set tbl my_table',
        "\\set who 'O''Brien'",
        '\\set n 4',
        'CREATE TABLE :"tbl" (s text, n int);',
        "INSERT INTO :tbl VALUES (:'who', :n), ('::n stays', 1::int);",
        "-- :n in a comment, ':n' in a string, $$:n$$ in a dollar quote: all left alone",
        "INSERT INTO my_table VALUES (':n' || $$:n$$, 2);",
        '\\if :{?nope}',
        '\\elif false',
        "INSERT INTO my_table VALUES ('not this', 0);",
        '\\else',
        "INSERT INTO my_table VALUES ('else', 3);",
        '\\endif',
        '\\unset n',
        "\\echo 'loaded' :tbl",
        "INSERT INTO my_table VALUES (':n unset', 5);",
        '\\set idx my_index',
        'CREATE INDEX CONCURRENTLY :idx ON :tbl (n);',
        'SELECT 1 \\g',
        '',
      ].join('\n'),
    });
    const database = await freshDb();
    const verbose: string[] = [];
    await runRepo(root, database, { reporter: { verbose: (m) => verbose.push(m) } });
    const sql = 'SELECT s FROM my_table ORDER BY n, s';
    expect(await rows(database, sql)).toEqual(['::n stays', ':n:n', 'else', "O'Brien", ':n unset']);
    expect(verbose).toContain('1.sql: loaded my_table');
    expect(await rows(database, "SELECT to_regclass('my_index')::text AS i")).toEqual(['my_index']);
    await sameAsPsql(root, ['1.sql'], database, sql);
  });

  it('runs \\copy … from a file (relative to the repository root), in the declared encoding', async () => {
    const root = await repo({
      'data/cities.dat': latin1('name\nCura\xe7ao\n'),
      'seed/1.sql':
        "CREATE TABLE t (s text);\n\\encoding LATIN1\n\\copy t (s) from 'data/cities.dat' with (format csv, header true)\n\\copy t from 'data/cities.dat' csv\n",
    });
    const database = await freshDb();
    const summary = await runRepo(root, database);
    expect(summary.rows).toBe(3);
    expect(await rows(database)).toEqual(['Curaçao', 'Curaçao', 'name']);
    await sameAsPsql(root, ['seed/1.sql'], database);
  });

  it('says what it cannot honour before anything runs', async () => {
    const cases: [string, string][] = [
      ["\\copy t to 'out.csv'", '1.sql:2:1: \\copy is supported only from a file'],
      ["\\copy t from 'missing.csv'", '1.sql:2:1: \\copy cannot read missing.csv: ENOENT.'],
      ['\\if maybe', '1.sql:2:1: \\if needs a boolean'],
      ['\\endif', '1.sql:2:1: \\endif without \\if.'],
      ['\\set x `date`', '1.sql:2:1: \\set uses a back-quoted shell command'],
    ];
    for (const [command, message] of cases) {
      const root = await repo({
        '0.sql': 'CREATE TABLE never (id int);',
        '1.sql': `SELECT 1;\n${command}\n`,
      });
      const database = await freshDb();
      const error = await failure(runRepo(root, database));
      expect(error.message.startsWith(message), `${command}: ${error.message}`).toBe(true);
      expect(await rows(database, "SELECT to_regclass('never')::text AS t")).toEqual([null]);
    }
    const open = await repo({ '1.sql': '\\if true\nSELECT 1;\n' });
    expect((await failure(runRepo(open, await freshDb()))).message).toBe(
      '1.sql: the file ends inside an \\if block (no \\endif).',
    );
  });

  it('starts every file with [repository] variables', async () => {
    const root = await repo({
      '1.sql': "CREATE TABLE t (s text);\n\\set x 'changed'\n",
      '2.sql': "INSERT INTO t VALUES (:'x');\n",
    });
    const database = await freshDb();
    await executeFiles(
      testServer(),
      database,
      [
        { path: '1.sql', absolutePath: join(root, '1.sql'), kind: 'sql' },
        { path: '2.sql', absolutePath: join(root, '2.sql'), kind: 'sql' },
      ],
      { root, variables: { x: 'from config' } },
    );
    expect(await rows(database)).toEqual(['from config']);
  });
});
