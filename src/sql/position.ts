/**
 * Offsets, lines and columns in SQL files. Lines are 1-based and split at `\n`; columns are
 * 1-based and count code points (an emoji is one column), as PostgreSQL counts `position`.
 */

export interface LineColumn {
  line: number;
  column: number;
}

/** Number of code points in text[from, to). */
export function codePointsBetween(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    // A low surrogate continues the code point its high surrogate started.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > from && isHigh(text.charCodeAt(i - 1)))) n += 1;
  }
  return n;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Line and column of a JS string index in `text`. */
export function lineColumnAt(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: codePointsBetween(text, lineStart, offset) + 1 };
}

/**
 * Walks forward through a text handing out line and column of increasing offsets, so that
 * locating every segment of a large file costs one pass over it.
 */
export class LineTracker {
  #text: string;
  #offset = 0;
  #line = 1;
  #lineStart = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** Line and column of `offset`; offsets must not decrease between calls. */
  at(offset: number): LineColumn {
    const text = this.#text;
    for (
      let i = text.indexOf('\n', this.#offset);
      i >= 0 && i < offset;
      i = text.indexOf('\n', i + 1)
    ) {
      this.#line += 1;
      this.#lineStart = i + 1;
    }
    this.#offset = offset;
    return { line: this.#line, column: codePointsBetween(text, this.#lineStart, offset) + 1 };
  }
}

/**
 * The JS string index in `fileText` that PostgreSQL's 1-based `pgPosition` points at, for
 * a query string that was `fileText` from `sentOffset` on. PostgreSQL counts code points.
 */
export function offsetOfPosition(fileText: string, sentOffset: number, pgPosition: number): number {
  let i = sentOffset;
  for (let n = 1; n < pgPosition && i < fileText.length; n += 1) {
    i += isHigh(fileText.charCodeAt(i)) && i + 1 < fileText.length ? 2 : 1;
  }
  return Math.min(i, fileText.length);
}

/**
 * Line and column in the file of an error `position` reported by PostgreSQL (1-based, in
 * code points) for a query string that began at `sentOffset` in `fileText`.
 */
export function positionToLineColumn(
  fileText: string,
  sentOffset: number,
  pgPosition: number,
): LineColumn {
  return lineColumnAt(fileText, offsetOfPosition(fileText, sentOffset, pgPosition));
}

/**
 * Up to three lines of `fileText` ending at `line`, numbered, with a caret under `column`.
 * Tabs before the column are kept in the caret line so the caret lines up in a terminal.
 */
export function excerpt(fileText: string, line: number, column: number): string {
  const lines = fileText.split('\n');
  const last = Math.min(Math.max(line, 1), lines.length);
  const first = Math.max(1, last - 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n += 1) {
    const content = (lines[n - 1] ?? '').replace(/\r$/, '');
    out.push(`${String(n).padStart(width)} | ${content}`);
  }
  const target = [...(lines[last - 1] ?? '').replace(/\r$/, '')];
  const pad = target
    .slice(0, Math.max(column - 1, 0))
    .map((ch) => (ch === '\t' ? '\t' : ' '))
    .join('');
  out.push(`${' '.repeat(width)} | ${pad}^`);
  return out.join('\n');
}
