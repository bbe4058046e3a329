import { MAX_IDENTIFIER_BYTES } from '../config/name-room.js';
import { usageError } from '../errors.js';

/**
 * The one place where database names (and other identifiers dbfast puts into SQL) are
 * validated and quoted. Nothing else in dbfast builds an identifier into SQL text.
 */

/** Names dbfast itself must never create, clone over or drop. */
const RESERVED = new Set(['postgres', 'template0', 'template1']);

/**
 * Validate a database name: 1-63 bytes of UTF-8, no NUL, not one of the server's own
 * databases. Returns the name unchanged, or throws a usage error (exit code 2) saying why.
 */
export function validateDatabaseName(name: string, what = 'database name'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw usageError('identifier.empty', `The ${what} is empty.`, 'Give a name of 1 to 63 bytes.');
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw usageError(
      'identifier.too_long',
      `The ${what} "${name}" is ${bytes} bytes long; PostgreSQL allows at most ${MAX_IDENTIFIER_BYTES}.`,
      'Use a shorter name (PostgreSQL would silently cut it).',
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw usageError(
      'identifier.invalid',
      `The ${what} ${JSON.stringify(name)} contains a control character.`,
      'Use letters, digits, "_", "-" or ".".',
    );
  }
  if (RESERVED.has(name)) {
    throw usageError(
      'identifier.reserved',
      `The ${what} "${name}" is one of PostgreSQL's own databases.`,
      'Choose another name.',
    );
  }
  return name;
}

/** Quote an identifier for SQL ("a""b"). Validate database names before quoting them. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) {
    throw usageError('identifier.invalid', 'An identifier contains a NUL character.');
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** Validate and quote a database name in one step: the form every SQL builder uses. */
export function databaseIdent(name: string, what?: string): string {
  return quoteIdent(validateDatabaseName(name, what));
}

/** Quote a string literal for the few statements that take no parameters (COMMENT ON). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) {
    throw usageError('identifier.invalid', 'A string value contains a NUL character.');
  }
  // standard_conforming_strings is on in every supported server version: only ' needs doubling.
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Cut a name to at most 63 bytes without splitting a UTF-8 character, for generated names
 * (template and clone names built from a prefix and a hash).
 */
export function truncateToBytes(name: string, maxBytes = MAX_IDENTIFIER_BYTES): string {
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, 'utf8') > maxBytes) break;
    out += ch;
  }
  return out;
}
