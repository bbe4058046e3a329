import {
  DbfastError,
  errorMessage,
  type PgErrorFields,
  pgFields,
  type SourceLocation,
} from '../errors.js';
import { connectionLostError, isConnectionLost } from '../server/failures.js';
import type { FunctionIndex } from './functions.js';
import type { CopySegment, StatementSegment } from './lexer.js';
import type { SourceFile } from './plan.js';
import { excerpt, lineColumnAt, offsetOfPosition } from './position.js';

/**
 * Turns what PostgreSQL said about a failed statement into a DbfastError that points at the
 * file, line and column: from the error's `position` (code points into the string sent),
 * from the line PL/pgSQL names in `where` (the function body in the file that created it),
 * from the data line of a failed COPY, or else from the start of the failing statement.
 */
export interface FailedAt {
  source: SourceFile;
  /** Where the string that was sent starts in the source. */
  sentOffset: number;
  /** The statement that failed, when known. */
  statement?: StatementSegment;
  copy?: CopySegment;
  /**
   * Set when the string sent was not the file's text (psql variables filled in): positions
   * up to this many characters past `sentOffset` are the file's; later ones point at the
   * statement's start.
   */
  exactUntil?: number;
}

interface Located {
  source: SourceFile;
  offset: number;
  /** Set when the location is inside a function body called by the failing statement. */
  routine?: string;
}

const PLPGSQL_FRAME = /^PL\/pgSQL function (.+?) line (\d+) at /m;
const COPY_LINE = /^COPY [^,]+, line (\d+)/m;

export function sqlError(error: unknown, at: FailedAt, functions: FunctionIndex): DbfastError {
  // The server restarting, or the session being terminated, is not the file's fault.
  if (isConnectionLost(error)) return connectionLostError(error, `running ${at.source.path}`);
  const fields = pgFields(error);
  const statementOffset = at.statement?.start ?? at.copy?.start ?? at.sentOffset;
  const where = (fields && locate(fields, at, functions)) ?? {
    source: at.source,
    offset: statementOffset,
  };
  const { line, column } = lineColumnAt(where.source.text, where.offset);
  const location: SourceLocation = {
    file: where.source.path,
    line,
    column,
    excerpt: excerpt(where.source.text, line, column),
  };
  const severity = (error as { severity?: string } | null)?.severity ?? 'ERROR';
  let message = `${location.file}:${line}:${column}: ${severity}: ${errorMessage(error)}`;
  if (where.routine !== undefined) {
    const call = lineColumnAt(at.source.text, statementOffset);
    message += ` (in ${where.routine}, called from ${at.source.path}:${call.line}:${call.column})`;
  }
  if (fields === undefined) {
    return new DbfastError('sql.failed', message, { cause: error, location });
  }
  const hint = fields.hint ?? psqlVariableHint(fields, where);
  return new DbfastError('sql.failed', message, {
    cause: error,
    location,
    pg: fields,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** A syntax error at `:name`, `:'name'` or `:"name"` is a psql variable the pg runner cannot fill in. */
function psqlVariableHint(fields: PgErrorFields, where: Located): string | undefined {
  if (fields.code !== '42601') return undefined;
  if (!/^:['"]?[A-Za-z_]/.test(where.source.text.slice(where.offset, where.offset + 3)))
    return undefined;
  return 'This looks like a psql variable (:name), which only psql fills in: set runner = "psql" under [repository] in dbfast.toml, or write the value into the file.';
}

function locate(
  fields: PgErrorFields,
  at: FailedAt,
  functions: FunctionIndex,
): Located | undefined {
  if (fields.position !== undefined && Number.isFinite(fields.position)) {
    if (at.exactUntil !== undefined && fields.position > at.exactUntil) return undefined;
    return {
      source: at.source,
      offset: offsetOfPosition(at.source.text, at.sentOffset, fields.position),
    };
  }
  const where = fields.where ?? '';
  const copyLine = COPY_LINE.exec(where);
  if (at.copy !== undefined && copyLine !== null) {
    const first = lineColumnAt(at.source.text, at.copy.dataStart).line;
    return {
      source: at.source,
      offset: lineStartOffset(at.source.text, first + Number(copyLine[1]) - 1),
    };
  }
  const frame = PLPGSQL_FRAME.exec(where);
  if (frame === null) return undefined;
  const signature = frame[1] as string;
  const body = signature.startsWith('inline_code_block') ? doBody(at) : functions.find(signature);
  if (body === undefined) return undefined;
  const text = body.source.text;
  const bodyLine = lineColumnAt(text, body.bodyStart).line;
  const lineStart = lineStartOffset(text, bodyLine + Number(frame[2]) - 1);
  const routine = signature.startsWith('inline_code_block') ? undefined : `function ${signature}`;
  // The statement PL/pgSQL ran is the function's own text from that line on, with INTO
  // clauses blanked out (same length): find its start by the part before the first blank run.
  const query = fields.internalQuery ?? '';
  const prefix = query.split(/\s{2,}/)[0]?.slice(0, 40) ?? '';
  const found = prefix === '' ? -1 : text.indexOf(prefix, lineStart);
  const nextLine = text.indexOf('\n', lineStart);
  if (found >= 0 && (nextLine < 0 || found <= nextLine)) {
    const offset = offsetOfPosition(text, found, fields.internalPosition ?? 1);
    return { source: body.source, offset, ...(routine === undefined ? {} : { routine }) };
  }
  const firstNonBlank = /\S/.exec(text.slice(lineStart, nextLine < 0 ? undefined : nextLine));
  const offset = lineStart + (firstNonBlank?.index ?? 0);
  return { source: body.source, offset, ...(routine === undefined ? {} : { routine }) };
}

/** The body of the DO block that failed: its first quoted or dollar-quoted string. */
function doBody(at: FailedAt): { source: SourceFile; bodyStart: number } | undefined {
  const s = at.statement;
  if (s === undefined) return undefined;
  const m = /\$([A-Za-z_][A-Za-z0-9_]*)?\$|'/.exec(s.text);
  return m === null ? undefined : { source: at.source, bodyStart: s.start + m.index + m[0].length };
}

function lineStartOffset(text: string, line: number): number {
  let offset = 0;
  for (let n = 1; n < line; n += 1) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return offset;
    offset = nl + 1;
  }
  return offset;
}
