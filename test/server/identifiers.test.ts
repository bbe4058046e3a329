import { describe, expect, it } from 'vitest';
import { connectionUrl, parseConnectionUrl, redactUrl } from '../../src/config/url.js';
import { DbfastError } from '../../src/errors.js';
import {
  databaseIdent,
  quoteIdent,
  quoteLiteral,
  truncateToBytes,
  validateDatabaseName,
} from '../../src/server/identifiers.js';

describe('identifiers', () => {
  it('quotes identifiers and literals', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(databaseIdent('My DB')).toBe('"My DB"');
  });

  it("rejects empty, too long, control characters and the server's own databases", () => {
    const fails = (name: string, code: string) => {
      try {
        validateDatabaseName(name);
      } catch (error) {
        expect(error).toBeInstanceOf(DbfastError);
        expect((error as DbfastError).code).toBe(code);
        expect((error as DbfastError).exitCode).toBe(2);
        return;
      }
      throw new Error(`accepted ${name}`);
    };
    fails('', 'identifier.empty');
    fails('x'.repeat(64), 'identifier.too_long');
    fails('é'.repeat(32), 'identifier.too_long');
    fails('a\nb', 'identifier.invalid');
    fails('template1', 'identifier.reserved');
    expect(validateDatabaseName('x'.repeat(63))).toHaveLength(63);
  });

  it('truncates to 63 bytes without splitting characters', () => {
    const cut = truncateToBytes('é'.repeat(40));
    expect(Buffer.byteLength(cut)).toBe(62);
  });

  it('redacts passwords in URLs and never prints them', () => {
    expect(redactUrl('postgres://u:s3cret@h:5432/db')).toBe('postgres://u:****@h:5432/db');
    const params = parseConnectionUrl('postgres://u:p%40ss@h:5433/db?sslmode=require');
    expect(params).toMatchObject({
      user: 'u',
      password: 'p@ss',
      host: 'h',
      port: 5433,
      database: 'db',
      sslmode: 'require',
    });
    expect(connectionUrl(params)).toBe('postgres://u@h:5433/db?sslmode=require');
  });
});
