import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyStatement } from '../../src/sql/classify.js';
import { lex, type Segment } from '../../src/sql/lexer.js';
import { CORPUS_SETTING, corpusDir, requires } from '../helpers/requires.js';

/** The real public SQL corpora (DBFAST_CORPUS; their README describes each one's traps). */
const { dir: CORPUS, missing } = corpusDir();
const skip = requires('the lexer corpus tests', missing, CORPUS_SETTING);

function sqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function lexFile(path: string): Segment[] {
  return lex(readFileSync(join(CORPUS, path), 'utf8'));
}

function count(segments: Segment[], kind: Segment['kind']): number {
  return segments.filter((s) => s.kind === kind).length;
}

function metas(segments: Segment[]): string[] {
  return segments.flatMap((s) =>
    s.kind === 'meta' ? [`${s.line}:\\${s.command} ${s.args}`.trim()] : [],
  );
}

describe.skipIf(skip)('corpus', () => {
  const files = skip ? [] : sqlFiles(CORPUS);

  it('has the 310 files the README lists', () => {
    expect(files.length).toBe(310);
  });

  it('lexes every file and joins it back byte for byte', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const segments = lex(text);
      expect(segments.map((s) => s.text).join(''), relative(CORPUS, file)).toBe(text);
      // Every statement but a file's last ends with `;` (or a \gset), as psql would see it.
      const open = segments.filter((s) => s.kind === 'statement' && s.terminator === 'none');
      expect(open.length, relative(CORPUS, file)).toBeLessThanOrEqual(1);
      if (open.length === 1) {
        const rest = segments.slice(segments.indexOf(open[0] as Segment) + 1);
        expect(rest.every((s) => s.kind === 'trivia')).toBe(true);
      }
    }
  });

  it('pagila: 21 COPY blocks with 49,636 data lines, no metas', () => {
    const data = lexFile('pagila/pagila-data.sql');
    const copies = data.filter((s) => s.kind === 'copy');
    expect(copies.length).toBe(21);
    expect(copies.every((c) => c.kind === 'copy' && c.terminated)).toBe(true);
    const lines = copies.reduce(
      (n, c) => n + (c.kind === 'copy' ? c.data.split('\n').length - 1 : 0),
      0,
    );
    expect(lines).toBe(49_636);
    expect(metas(data)).toEqual([]);
    expect(copies[0]).toMatchObject({
      statement: expect.stringMatching(/^COPY public\.actor \(.*\) FROM stdin;$/),
    });
    const schema = lexFile('pagila/pagila-schema.sql');
    expect(count(schema, 'copy')).toBe(0);
    expect(count(schema, 'statement')).toBeGreaterThan(200);
  });

  it('postgrest: load.sql has \\set and 8 \\ir, orioledb.sql has \\gset and \\if/\\endif', () => {
    const load = lexFile('postgrest/test/spec/fixtures/load.sql');
    expect(metas(load)).toEqual([
      '3:\\set ON_ERROR_STOP on',
      '5:\\ir ../../orioledb.sql',
      '6:\\ir database.sql',
      '7:\\ir roles.sql',
      '8:\\ir schema.sql',
      '9:\\ir jwt.sql',
      '10:\\ir jsonschema.sql',
      '11:\\ir privileges.sql',
      '12:\\ir data.sql',
    ]);
    const oriole = lexFile('postgrest/test/orioledb.sql');
    expect(metas(oriole)).toEqual(['1:\\gset', '3:\\if :is_orioledb_available', '6:\\endif']);
    expect(oriole.find((s) => s.kind === 'statement')).toMatchObject({
      terminator: 'meta',
      line: 1,
    });
    const data = lexFile('postgrest/test/spec/fixtures/data.sql');
    expect(data.filter((s) => s.kind === 'copy').map((s) => s.line)).toEqual([563, 572]);
    const jwt = lexFile('postgrest/test/spec/fixtures/jwt.sql');
    const control = jwt.filter(
      (s) => s.kind === 'statement' && classifyStatement(s.text).kind === 'transaction-control',
    );
    expect(control.map((s) => s.line)).toEqual([2, 67]);
  });

  it('chinook: \\c at line 28 after DROP/CREATE DATABASE', () => {
    const segments = lexFile('chinook/Chinook_PostgreSql.sql');
    expect(metas(segments)).toEqual(['28:\\c chinook;']);
    const noTx = segments.filter(
      (s) => s.kind === 'statement' && classifyStatement(s.text).kind === 'no-transaction',
    );
    expect(noTx.map((s) => s.line)).toEqual([19, 25]);
  });

  it('northwind and lago-api: many statements, no metas, no COPY', () => {
    const northwind = lexFile('northwind/northwind.sql');
    expect(count(northwind, 'statement')).toBeGreaterThan(3362);
    const lago = lexFile('lago-api/db/structure.sql');
    expect(count(lago, 'statement')).toBeGreaterThan(114 + 464 + 31);
    expect(metas(northwind).concat(metas(lago))).toEqual([]);
  });

  it("lemmy: the E-string with \\' stays one statement", () => {
    const segments = lexFile('lemmy/migrations/2022-06-21-123144_language-tags/up.sql');
    const insert = segments.find((s) => s.kind === 'statement' && s.text.includes("E'Avañe\\'ẽ'"));
    expect(insert?.text.endsWith(';')).toBe(true);
    expect(insert?.text).toMatch(/^INSERT INTO\s+LANGUAGE/i);
  });

  it('supabase-storage: the COMMIT-in-DO and CONCURRENTLY files are recognised', () => {
    const dir = join(CORPUS, 'supabase-storage/migrations/tenant');
    const found: string[] = [];
    for (const file of sqlFiles(dir)) {
      for (const s of lex(readFileSync(file, 'utf8'))) {
        if (s.kind !== 'statement') continue;
        const c = classifyStatement(s.text);
        if (c.kind !== 'ordinary') found.push(`${relative(dir, file).slice(0, 4)} ${c.command}`);
      }
    }
    expect(found.filter((f) => f.includes('DO block'))).toEqual([
      '0029 DO block with COMMIT/ROLLBACK',
      '0030 DO block with COMMIT/ROLLBACK',
    ]);
    expect(found.filter((f) => f.includes('CONCURRENTLY')).length).toBe(7);
    expect(found.filter((f) => !f.includes('DO block') && !f.includes('CONCURRENTLY'))).toEqual([]);
  });
});
