import { relative, sep } from 'node:path';
import { DbfastError } from '../errors.js';
import type { InvalidBytes } from './encoding.js';
import type { Segment } from './lexer.js';
import type { SourceFile } from './plan.js';
import { excerpt, lineColumnAt } from './position.js';

/** Errors of planning, located at file:line:col with an excerpt. */

export type At = { source: SourceFile; segment: Segment };

export function metaText(at: At | undefined): string {
  return at?.segment.kind === 'meta' ? `\\${at.segment.command} ${at.segment.args}` : '';
}

export function invalidBytes(source: SourceFile, error: InvalidBytes): DbfastError {
  const { line, column } = lineColumnAt(error.before, error.before.length);
  return new DbfastError(
    'sql.encoding',
    `${source.path}:${line}:${column}: ERROR: ${error.message}`,
    {
      hint: "Declare the file's encoding at its top (SET client_encoding = 'LATIN1';), convert the file to UTF-8, or set [repository] encoding in dbfast.toml.",
      location: { file: source.path, line, column, excerpt: excerpt(error.before, line, column) },
    },
  );
}

/** A path as shown in messages: relative to the root with `/`, or absolute when outside it. */
export function display(root: string, path: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.split(sep).join('/');
}

export function located(
  at: At | undefined,
  code: string,
  message: string,
  hint?: string,
): DbfastError {
  if (at === undefined) return new DbfastError(code, message, hint === undefined ? {} : { hint });
  const { source, segment } = at;
  return new DbfastError(code, `${source.path}:${segment.line}:${segment.column}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
    location: {
      file: source.path,
      line: segment.line,
      column: segment.column,
      excerpt: excerpt(source.text, segment.line, segment.column),
    },
  });
}
