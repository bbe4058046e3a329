import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyStatement } from '../../src/sql/classify.js';
import { lex } from '../../src/sql/lexer.js';
import { parseMeta } from '../../src/sql/lexer-rules.js';
import { excerpt, positionToLineColumn } from '../../src/sql/position.js';

/** The non-trivia segments, as short strings that are easy to compare. */
function parts(text: string): string[] {
  const segments = lex(text);
  expect(segments.map((s) => s.text).join('')).toBe(text);
  return segments
    .filter((s) => s.kind !== 'trivia')
    .map((s) =>
      s.kind === 'meta'
        ? `\\${s.command}|${s.args}`
        : s.kind === 'copy'
          ? `COPY<${s.data}>`
          : s.text,
    );
}

function statements(text: string): string[] {
  return lex(text)
    .filter((s) => s.kind === 'statement')
    .map((s) => s.text);
}

describe('lex: quoting', () => {
  it('splits plain statements and keeps comments between them as trivia', () => {
    const text = '-- head\nSELECT 1;\n/* x */ SELECT 2 ; -- tail\n';
    expect(parts(text)).toEqual(['SELECT 1;', 'SELECT 2 ;']);
    expect(lex(text).map((s) => s.kind)).toEqual([
      'trivia',
      'statement',
      'trivia',
      'statement',
      'trivia',
    ]);
  });

  it("handles '' escapes in strings", () => {
    expect(parts("SELECT 'it''s; fine';SELECT 2;")).toEqual(["SELECT 'it''s; fine';", 'SELECT 2;']);
  });

  it('handles backslash escapes only in E strings', () => {
    expect(parts("INSERT INTO l VALUES (E'Avañe\\'ẽ;'); SELECT 1;")).toEqual([
      "INSERT INTO l VALUES (E'Avañe\\'ẽ;');",
      'SELECT 1;',
    ]);
    expect(parts("SELECT e'a\\\\'; SELECT 2;")).toEqual(["SELECT e'a\\\\';", 'SELECT 2;']);
    // Without E, a backslash is an ordinary character: 'a\' is a complete string.
    expect(parts("SELECT 'a\\'; SELECT 2;")).toEqual(["SELECT 'a\\';", 'SELECT 2;']);
    // An identifier ending in e is not an E prefix.
    expect(parts("SELECT some'a\\'; SELECT 2;")).toEqual(["SELECT some'a\\';", 'SELECT 2;']);
  });

  it("handles U&'' strings, N'' strings and quoted identifiers", () => {
    expect(parts("SELECT U&'d\\0061t;a' UESCAPE '!'; SELECT N'x;';")).toEqual([
      "SELECT U&'d\\0061t;a' UESCAPE '!';",
      "SELECT N'x;';",
    ]);
    expect(parts('CREATE TABLE "a"";b" (x int); SELECT U&"d;";')).toEqual([
      'CREATE TABLE "a"";b" (x int);',
      'SELECT U&"d;";',
    ]);
  });

  it('handles dollar quotes, nested tags, params and $ in identifiers', () => {
    const fn =
      'CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN PERFORM $$;$$; RETURN 1; END $fn$ LANGUAGE plpgsql;';
    expect(parts(`${fn}\nSELECT 2;`)).toEqual([fn, 'SELECT 2;']);
    expect(parts('PREPARE p AS SELECT $1; SELECT 2;')).toEqual([
      'PREPARE p AS SELECT $1;',
      'SELECT 2;',
    ]);
    expect(parts('SELECT a$b; SELECT $$x$$;')).toEqual(['SELECT a$b;', 'SELECT $$x$$;']);
    expect(parts('SELECT a$b$c; SELECT 2;')).toEqual(['SELECT a$b$c;', 'SELECT 2;']);
    expect(parts('SELECT $_t1$ ; $_t1$;')).toEqual(['SELECT $_t1$ ; $_t1$;']);
  });

  it('handles line comments and nested block comments', () => {
    expect(parts('SELECT 1 -- ; not here\n; SELECT /* a /* ; */ ; */ 2;')).toEqual([
      'SELECT 1 -- ; not here\n;',
      'SELECT /* a /* ; */ ; */ 2;',
    ]);
  });

  it('never splits inside parentheses', () => {
    expect(
      parts('CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3;'),
    ).toEqual(['CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);', 'SELECT 3;']);
  });

  it('keeps unterminated constructs to the end of the text', () => {
    for (const text of ["SELECT 'abc;\nSELECT 2;", 'SELECT $x$ ;', 'SELECT "a;']) {
      expect(parts(text)).toEqual([text]);
    }
    // An unterminated comment after the last token is trivia.
    expect(parts('SELECT /* /* */ ;')).toEqual(['SELECT']);
  });
});

describe('lex: statements', () => {
  it('keeps BEGIN ATOMIC … END bodies (with CASE … END) whole', () => {
    const fn = `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;
  SELECT a;
END;`;
    const proc = 'create procedure p() begin atomic insert into t values (1); end;';
    expect(parts(`${fn}\n${proc}\nBEGIN;\nCOMMIT;`)).toEqual([fn, proc, 'BEGIN;', 'COMMIT;']);
  });

  it('does not treat BEGIN/END outside routines as nesting', () => {
    expect(parts('BEGIN; SELECT CASE WHEN true THEN 1 END; END;')).toEqual([
      'BEGIN;',
      'SELECT CASE WHEN true THEN 1 END;',
      'END;',
    ]);
    expect(parts('CREATE TABLE t (begin int); SELECT 1;')).toEqual([
      'CREATE TABLE t (begin int);',
      'SELECT 1;',
    ]);
  });

  it('marks empty statements and a statement without a semicolon', () => {
    const segments = lex('SELECT 1;;\nSELECT 2 -- trailing\n');
    const stmts = segments.filter((s) => s.kind === 'statement');
    expect(stmts.map((s) => [s.text, s.terminator, s.empty])).toEqual([
      ['SELECT 1;', ';', false],
      [';', ';', true],
      ['SELECT 2', 'none', false],
    ]);
    expect(segments.at(-1)).toMatchObject({ kind: 'trivia', text: ' -- trailing\n' });
  });

  it('records start offsets, lines and code-point columns', () => {
    const text = "SELECT 'ẽ😀';  SELECT 2;\n\n  SELECT 3;";
    const stmts = lex(text).filter((s) => s.kind === 'statement');
    expect(stmts.map((s) => [s.start, s.line, s.column])).toEqual([
      [0, 1, 1],
      [text.indexOf('SELECT 2'), 1, 15],
      [text.indexOf('SELECT 3'), 3, 3],
    ]);
  });

  it('handles an empty file and a comment-only file', () => {
    expect(lex('')).toEqual([]);
    expect(lex('-- nothing\n').map((s) => s.kind)).toEqual(['trivia']);
  });
});

describe('lex: psql meta-commands', () => {
  it('reads backslash lines as meta segments', () => {
    const text =
      '\\set ON_ERROR_STOP on\n\\ir ../../orioledb.sql\n  \\i  x.sql  \nSELECT 1;\n\\c chinook;\n\\restrict abc\n';
    expect(parts(text)).toEqual([
      '\\set|ON_ERROR_STOP on',
      '\\ir|../../orioledb.sql',
      '\\i|x.sql',
      'SELECT 1;',
      '\\c|chinook;',
      '\\restrict|abc',
    ]);
  });

  it('ends a statement at a trailing \\gset', () => {
    const text = 'SELECT 1 AS x \\gset\n\\if :x\n  CREATE SCHEMA s;\n\\endif\n';
    const segments = lex(text).filter((s) => s.kind !== 'trivia');
    expect(segments.map((s) => s.kind)).toEqual(['statement', 'meta', 'meta', 'statement', 'meta']);
    expect(segments[0]).toMatchObject({ text: 'SELECT 1 AS x', terminator: 'meta' });
    expect(segments[1]).toMatchObject({ command: 'gset', line: 1, column: 15 });
    expect(segments[2]).toMatchObject({ command: 'if', args: ':x', line: 2 });
  });

  it('does not see backslashes inside strings, comments or dollar quotes', () => {
    expect(parts("SELECT '\n\\i x';\n-- \\i y\n$$\n\\i z\n$$;")).toEqual([
      "SELECT '\n\\i x';",
      '$$\n\\i z\n$$;',
    ]);
  });

  it('parses names and arguments', () => {
    expect(parseMeta('\\ir  a b  \r')).toEqual({ command: 'ir', args: 'a b' });
    expect(parseMeta('\\.')).toEqual({ command: '.', args: '' });
    expect(parseMeta('\\include_relative x.sql')).toEqual({
      command: 'include_relative',
      args: 'x.sql',
    });
    expect(parseMeta('\\!ls')).toEqual({ command: '!', args: 'ls' });
  });
});

describe('lex: COPY FROM stdin', () => {
  it('takes the data lines verbatim up to \\.', () => {
    const data = "1\tit's; \\N\n2\t$$ /* -- \\i x\n";
    const text = `COPY public.actor (id, name) FROM stdin;\n${data}\\.\nSELECT 1;\n`;
    const segments = lex(text);
    const copy = segments.find((s) => s.kind === 'copy');
    expect(copy).toMatchObject({
      statement: 'COPY public.actor (id, name) FROM stdin;',
      data,
      dataStart: text.indexOf('1\t'),
      terminated: true,
      line: 1,
    });
    expect(parts(text)).toEqual([`COPY<${data}>`, 'SELECT 1;']);
  });

  it('accepts options after STDIN, any case, CRLF and empty data', () => {
    const text = `copy "Server Today" ("a") from STDIN CSV DELIMITER '|';\r\na|b\r\n\\.\r\nCOPY t FROM stdin;\n\\.\n`;
    const copies = lex(text).filter((s) => s.kind === 'copy');
    expect(copies.map((c) => (c.kind === 'copy' ? c.data : ''))).toEqual(['a|b\r\n', '']);
  });

  it('does not take other COPY forms for stdin', () => {
    expect(parts("COPY t FROM '/tmp/x'; COPY (SELECT a FROM stdin) TO stdout; SELECT 1;")).toEqual([
      "COPY t FROM '/tmp/x';",
      'COPY (SELECT a FROM stdin) TO stdout;',
      'SELECT 1;',
    ]);
  });

  it('runs to the end of the file without \\.', () => {
    const copy = lex('COPY t FROM stdin;\n1\n2\n').find((s) => s.kind === 'copy');
    expect(copy).toMatchObject({ data: '1\n2\n', terminated: false });
  });
});

describe('positions and excerpts', () => {
  it('counts PostgreSQL positions in code points, not UTF-16 units', () => {
    const text = "SELECT '😀';\nINSERT INTO t VALUES ('😀ẽ', nope);";
    // 'nope' is the 29th code point of the INSERT (the 30th UTF-16 unit).
    expect(positionToLineColumn(text, text.indexOf('INSERT'), 29)).toEqual({ line: 2, column: 29 });
    // Sent from the start of the file: the emoji on line 1 counts once, the newline once.
    expect(positionToLineColumn(text, 0, 12 + 29)).toEqual({ line: 2, column: 29 });
    expect(positionToLineColumn(text, 0, 1)).toEqual({ line: 1, column: 1 });
    expect(positionToLineColumn(text, 0, 10_000)).toEqual({ line: 2, column: 35 });
  });

  it('draws an excerpt with a caret under the column', () => {
    const text = 'a\nb\n\tc😀 d\ne';
    expect(excerpt(text, 3, 5)).toBe('1 | a\n2 | b\n3 | \tc😀 d\n  | \t   ^');
    expect(excerpt('x', 1, 1)).toBe('1 | x\n  | ^');
  });
});

describe('classifyStatement', () => {
  const cases: Array<[string, string]> = [
    ['SELECT 1', 'ordinary'],
    ['/* c */ -- x\n vacuum analyze t', 'no-transaction'],
    ['CREATE DATABASE x', 'no-transaction'],
    ['drop database if exists x', 'no-transaction'],
    ['CREATE TABLESPACE t LOCATION $$/x$$', 'no-transaction'],
    ['DROP TABLESPACE t', 'no-transaction'],
    ['ALTER SYSTEM SET work_mem = 1', 'no-transaction'],
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'no-transaction'],
    ['create unique index concurrently if not exists i on t (a)', 'no-transaction'],
    ['CREATE INDEX i ON t (a)', 'ordinary'],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'no-transaction'],
    ['DROP INDEX i', 'ordinary'],
    ['REINDEX (VERBOSE) TABLE CONCURRENTLY t', 'no-transaction'],
    ['REINDEX TABLE t', 'ordinary'],
    ['REINDEX SCHEMA s', 'no-transaction'],
    ['REINDEX DATABASE d', 'no-transaction'],
    ['REINDEX SYSTEM', 'no-transaction'],
    ['CLUSTER', 'no-transaction'],
    ['CLUSTER VERBOSE;', 'no-transaction'],
    ['CLUSTER t USING i', 'ordinary'],
    ['DISCARD ALL', 'no-transaction'],
    ['DISCARD PLANS', 'ordinary'],
    ["COMMIT PREPARED 'x'", 'no-transaction'],
    ["ROLLBACK PREPARED 'x'", 'no-transaction'],
    ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', 'no-transaction'],
    ['ALTER TABLE p DETACH PARTITION c', 'ordinary'],
    ["CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p", 'no-transaction'],
    ['DROP SUBSCRIPTION s', 'no-transaction'],
    ["ALTER TYPE t ADD VALUE 'x'", 'ordinary'],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY v', 'ordinary'],
    ['BEGIN', 'transaction-control'],
    ['begin transaction isolation level serializable', 'transaction-control'],
    ['START TRANSACTION', 'transaction-control'],
    ['COMMIT', 'transaction-control'],
    ['END', 'transaction-control'],
    ['ROLLBACK TO SAVEPOINT a', 'transaction-control'],
    ['SAVEPOINT a', 'transaction-control'],
    ['RELEASE SAVEPOINT a', 'transaction-control'],
    ['ABORT', 'transaction-control'],
    ["PREPARE TRANSACTION 'x'", 'transaction-control'],
    ['PREPARE q AS SELECT 1', 'ordinary'],
    ['DO $$ BEGIN COMMIT; END $$', 'no-transaction'],
    ['DO $$ BEGIN LOOP EXIT; END LOOP; ROLLBACK; END $$', 'no-transaction'],
    ["DO 'BEGIN IF true THEN COMMIT; END IF; END'", 'no-transaction'],
    [
      "DO $$ BEGIN CREATE TEMP TABLE x () ON COMMIT DROP; RAISE NOTICE 'commit'; END $$",
      'ordinary',
    ],
    ['DO $$ BEGIN -- COMMIT;\n NULL; END $$', 'ordinary'],
  ];
  it.each(cases)('%s -> %s', (text, kind) => {
    expect(classifyStatement(text).kind).toBe(kind);
  });

  it('names the command', () => {
    expect(classifyStatement('create index concurrently i on t(a)')).toEqual({
      kind: 'no-transaction',
      command: 'CREATE INDEX CONCURRENTLY',
    });
  });
});

/** Pieces of SQL that contain no top-level `;` and leave the lexer at top level. */
const piece = fc.oneof(
  fc.constantFrom(
    'SELECT',
    'x',
    'a$b',
    '$1',
    '1.5',
    '(x; y)',
    '((;))',
    ',',
    'CASE',
    'END',
    '::int',
    'e',
    'U&',
    '&',
  ),
  fc
    .string({ unit: fc.constantFrom("'", 'a', ';', '\\', '\n', 'ẽ') })
    .map((s) => `'${s.replaceAll("'", "''").replaceAll('\\', '')}'`),
  fc
    .string({ unit: fc.constantFrom("'", 'a', ';', '\\', '\n', '😀') })
    .map((s) => `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`),
  fc
    .string({ unit: fc.constantFrom('"', 'a', ';', ' ') })
    .map((s) => `"${s.replaceAll('"', '""')}"`),
  fc
    .string({ unit: fc.constantFrom('$', 'a', ';', "'", '\n', '$$') })
    .map((s) => `$q$${s.replaceAll('$q$', '')}$q$`),
  fc
    .string({ unit: fc.constantFrom('a', ';', "'", '\n', '$q$') })
    .map((s) => `$$${s.replaceAll('$', '')}$$`),
  fc.string({ unit: fc.constantFrom('a', ';', "'", '*', '-') }).map((s) => `/*${s}*/`),
  fc.string({ unit: fc.constantFrom('a', ';', "'", '$') }).map((s) => `-- ${s}\n`),
);
const space = fc.constantFrom(' ', '\n', '\t', '\r\n', '  ', '\n-- c;\n', ' /* ; */ ');
const statement = fc
  .array(fc.tuple(piece, space), { minLength: 1, maxLength: 8 })
  .map((xs) => `SELECT ${xs.map(([p, s]) => p + s).join('')};`);

describe('properties', () => {
  it('segments always join back to the input (arbitrary text)', () => {
    const unit = fc.constantFrom(
      "'",
      '"',
      '$',
      '$$',
      '$a$',
      '-',
      '--',
      '/*',
      '*/',
      ';',
      '\\',
      '\\.',
      '\n',
      'E',
      'x',
      ' ',
      '(',
      ')',
      'COPY t FROM stdin;',
      'BEGIN',
      'END',
      'CREATE FUNCTION',
      '😀',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        const segments = lex(text);
        expect(segments.map((s) => s.text).join('')).toBe(text);
        let at = 0;
        for (const s of segments) {
          expect(s.start).toBe(at);
          expect(s.end).toBeGreaterThan(s.start);
          at = s.end;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds exactly the statements a file was made of', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(space, statement), { maxLength: 6 }), space, (stmts, tail) => {
        const text = stmts.map(([s, t]) => s + t).join('') + tail;
        expect(statements(text)).toEqual(stmts.map(([, t]) => t));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps COPY data and meta-commands apart from statements', () => {
    const row = fc
      .string({ unit: fc.constantFrom('a', '\t', ';', "'", '$$', '\\', '\\N', '.') })
      .filter((r) => r !== '\\.');
    const block = fc.oneof(
      statement.map((s) => ({ text: s, expect: s })),
      fc.array(row, { maxLength: 4 }).map((rows) => {
        const data = rows.map((r) => `${r}\n`).join('');
        return { text: `COPY t (a) FROM stdin;\n${data}\\.`, expect: `COPY<${data}>` };
      }),
      fc
        .constantFrom('\\ir a.sql', '\\set x 1')
        .map((m) => ({ text: m, expect: m.replace(' ', '|') })),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 6 }), (blocks) => {
        const text = blocks.map((b) => `${b.text}\n`).join('');
        expect(parts(text)).toEqual(blocks.map((b) => b.expect));
      }),
      { numRuns: 500 },
    );
  });
});

describe('standard_conforming_strings', () => {
  it("reads 'it\\'s' as one string after SET standard_conforming_strings = off, and not before", () => {
    const text =
      "SELECT 'a\\';\nSET standard_conforming_strings = off;\nSELECT 'it\\'s; ok';\nSELECT pg_catalog.set_config('standard_conforming_strings', 'on', false);\nSELECT 'b\\';\n";
    const statements = lex(text)
      .filter((s) => s.kind === 'statement')
      .map((s) => s.text);
    expect(statements).toEqual([
      "SELECT 'a\\';",
      'SET standard_conforming_strings = off;',
      "SELECT 'it\\'s; ok';",
      "SELECT pg_catalog.set_config('standard_conforming_strings', 'on', false);",
      "SELECT 'b\\';",
    ]);
    expect(
      lex("SELECT 'x\\';\nSELECT 1;", { standardConformingStrings: false }).filter(
        (s) => s.kind === 'statement',
      ).length,
    ).toBe(1);
  });
});
