import { findCopyEnd, parseMeta, type StatementState, track } from './lexer-rules.js';
import { LineTracker } from './position.js';
import { isOn, settingChanges } from './settings.js';
import { isSignificant, scanToken } from './tokens.js';

/**
 * Split a SQL file into segments the way psql reads it: statements end at a top-level `;`
 * (not inside quotes, dollar quotes, comments, parentheses or a BEGIN ATOMIC … END body),
 * backslash commands run to the end of their line, and the data of `COPY … FROM stdin` runs
 * up to a line that is exactly `\.` and is not SQL.
 *
 * Guarantees: the segments cover the input exactly, in order, with no gap and no overlap
 * (`segments.map((s) => s.text).join('') === text`), and the lexer never throws.
 *
 * White space and comments between statements are `trivia` segments of their own, so a
 * statement's text starts at its first significant character and ends at its `;` (or at
 * its last significant character when it has none). Comments inside a statement stay in it.
 */

export type Segment = StatementSegment | CopySegment | MetaSegment | TriviaSegment;

interface SegmentBase {
  /** The exact text of the file this segment covers. */
  text: string;
  /** JS string index of the first character. */
  start: number;
  /** JS string index just past the last character. */
  end: number;
  /** 1-based line of the first character. */
  line: number;
  /** 1-based column (in code points) of the first character. */
  column: number;
}

export interface StatementSegment extends SegmentBase {
  kind: 'statement';
  /**
   * How the statement ended: its `;`, a trailing `\g`/`\gset` command that sends it, or
   * nothing (the file ended, or another backslash command cut it off).
   */
  terminator: ';' | 'meta' | 'none';
  /** True for a lone `;` (nothing to run). */
  empty: boolean;
}

export interface CopySegment extends SegmentBase {
  kind: 'copy';
  /** The COPY statement, from `COPY` to its `;`. */
  statement: string;
  /** The data lines exactly as in the file (each with its newline), without the `\.` line. */
  data: string;
  /** JS string index where the data starts. */
  dataStart: number;
  /** False when the file ended before a `\.` line. */
  terminated: boolean;
}

export interface MetaSegment extends SegmentBase {
  kind: 'meta';
  /** The command name without the backslash: `i`, `ir`, `set`, `gset`, `c`, `.`. */
  command: string;
  /** Everything after the name up to the end of the line, trimmed. */
  args: string;
}

export interface TriviaSegment extends SegmentBase {
  kind: 'trivia';
}

/** Backslash commands that send the query buffer, so they end the statement before them. */
const SENDS_BUFFER = new Set(['g', 'gx', 'gset', 'gexec', 'gdesc', 'crosstabview', 'watch']);

export interface LexOptions {
  /**
   * The session's standard_conforming_strings when the text starts (default on). A
   * statement of the text that changes it (`SET standard_conforming_strings = off`)
   * changes how the text after it is read, as psql does.
   */
  standardConformingStrings?: boolean;
  /** Where to start (default 0): segments then cover text[from, length). */
  from?: number;
}

/** Split `text` into segments. See the module comment for the guarantees. */
export function lex(text: string, options: LexOptions = {}): Segment[] {
  const segments: Segment[] = [];
  const lines = new LineTracker(text);
  let scs = options.standardConformingStrings ?? true;
  const push = <S extends Segment>(segment: Omit<S, 'line' | 'column' | 'text'>): void => {
    if (segment.end <= segment.start) return;
    const at = lines.at(segment.start);
    segments.push({ ...segment, text: text.slice(segment.start, segment.end), ...at } as S);
  };
  let pos = options.from ?? 0;
  let triviaStart = pos;
  let st: StatementState | undefined;

  const endStatement = (end: number, terminator: StatementSegment['terminator']): void => {
    if (st === undefined) return;
    push<TriviaSegment>({ kind: 'trivia', start: triviaStart, end: st.start });
    const empty = end - st.start === 1 && text[st.start] === ';';
    push<StatementSegment>({ kind: 'statement', start: st.start, end, terminator, empty });
    for (const change of settingChanges(text.slice(st.start, end))) {
      if (change.name === 'standard_conforming_strings') scs = isOn(change.value);
    }
    triviaStart = end;
    st = undefined;
  };

  while (pos < text.length) {
    const t = scanToken(text, pos, scs);
    pos = t.end;
    if (!isSignificant(t)) continue;
    if (t.type === 'meta') {
      const { command, args } = parseMeta(text.slice(t.start, t.end));
      if (st !== undefined)
        endStatement(st.lastSignificantEnd, SENDS_BUFFER.has(command) ? 'meta' : 'none');
      push<TriviaSegment>({ kind: 'trivia', start: triviaStart, end: t.start });
      push<MetaSegment>({ kind: 'meta', start: t.start, end: t.end, command, args });
      triviaStart = t.end;
      continue;
    }
    if (st === undefined) {
      st = {
        start: t.start,
        lastSignificantEnd: t.end,
        parenDepth: 0,
        beginDepth: 0,
        head: '',
        identCount: 0,
        copy: 0,
      };
    }
    st.lastSignificantEnd = t.end;
    if (t.type === 'ident') {
      track(st, text.slice(t.start, t.end).toLowerCase());
    } else if (t.type === 'punct') {
      const ch = text[t.start];
      if (st.copy === 2) st.copy = 0;
      if (ch === '(') st.parenDepth += 1;
      else if (ch === ')') st.parenDepth = Math.max(0, st.parenDepth - 1);
      else if (ch === ';' && st.parenDepth === 0 && st.beginDepth === 0) {
        if (st.copy === 3) {
          pos = copyBlock(st.start, t.end);
        } else {
          endStatement(t.end, ';');
        }
      }
    } else if (st.copy === 2) {
      st.copy = 0;
    }
  }
  if (st !== undefined) endStatement(st.lastSignificantEnd, 'none');
  push<TriviaSegment>({ kind: 'trivia', start: triviaStart, end: text.length });
  return segments;

  /** Emit a COPY FROM stdin block whose statement ends at `stmtEnd`; return where lexing goes on. */
  function copyBlock(start: number, stmtEnd: number): number {
    push<TriviaSegment>({ kind: 'trivia', start: triviaStart, end: start });
    st = undefined;
    // The data starts on the line after the statement (psql reads the rest of that line as SQL,
    // which in every dump is empty).
    const nl = text.indexOf('\n', stmtEnd);
    const dataStart = nl < 0 ? text.length : nl + 1;
    const stop = findCopyEnd(text, dataStart);
    const terminated = stop !== undefined;
    const dataEnd = stop ?? text.length;
    const end = stop === undefined ? text.length : stop + 2;
    push<CopySegment>({
      kind: 'copy',
      start,
      end,
      statement: text.slice(start, stmtEnd),
      data: text.slice(dataStart, dataEnd),
      dataStart,
      terminated,
    });
    triviaStart = end;
    return end;
  }
}
