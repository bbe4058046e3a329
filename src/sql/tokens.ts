/**
 * The token scanner under the lexer: it knows exactly as much of PostgreSQL's and psql's
 * lexical rules as is needed to find where statements end (quotes, dollar quotes, comments,
 * identifiers, parentheses, `;`, psql backslash commands). It never fails: unterminated
 * strings and comments run to the end of the text, as they would on the server.
 */

export type TokenType =
  | 'space'
  | 'line-comment'
  | 'block-comment'
  /** '…', E'…', U&'…', N'…', B'…', X'…' (the prefix is part of the token). */
  | 'string'
  /** "…" and U&"…". */
  | 'quoted-ident'
  /** $$…$$ and $tag$…$tag$. */
  | 'dollar'
  /** An unquoted identifier or key word (`a$b` included). */
  | 'ident'
  | 'number'
  /** $1, $2, … */
  | 'param'
  /** A psql backslash command, from the backslash to the end of the line (newline excluded). */
  | 'meta'
  /** Any other single character: ( ) ; , . : + … */
  | 'punct';

export interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** False for a string, quoted identifier, dollar quote or block comment cut off by the end of the text. */
  closed: boolean;
}

const SPACE = /[ \t\n\r\f\v]/;
// PostgreSQL treats every non-ASCII character as an identifier character.
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/**
 * Scan the token that starts at `start` (which must be < text.length). With
 * `standardConformingStrings` false, a backslash escapes the next character in '…' as in
 * E'…' (the server's rule under `SET standard_conforming_strings = off`).
 */
export function scanToken(text: string, start: number, standardConformingStrings = true): Token {
  const ch = text[start] as string;
  const next = text[start + 1];
  if (SPACE.test(ch)) {
    let i = start + 1;
    while (i < text.length && SPACE.test(text[i] as string)) i += 1;
    return tok('space', start, i);
  }
  if (ch === '-' && next === '-') {
    const nl = text.indexOf('\n', start);
    return tok('line-comment', start, nl < 0 ? text.length : nl);
  }
  if (ch === '/' && next === '*') return blockComment(text, start);
  if (ch === "'") return quoted(text, start, start, "'", !standardConformingStrings);
  if (ch === '"') return quoted(text, start, start, '"', false);
  if (ch === '$') return dollar(text, start);
  if (ch === '\\') {
    const nl = text.indexOf('\n', start);
    return tok('meta', start, nl < 0 ? text.length : nl);
  }
  if (IDENT_START.test(ch)) return identOrPrefixed(text, start, standardConformingStrings);
  if (ch >= '0' && ch <= '9') {
    let i = start + 1;
    // Digits, `.`, exponents, 0x…, 1_000: anything number-like, none of it matters here.
    while (i < text.length && /[0-9A-Za-z_.]/.test(text[i] as string)) i += 1;
    return tok('number', start, i);
  }
  return tok('punct', start, start + 1);
}

function tok(type: TokenType, start: number, end: number, closed = true): Token {
  return { type, start, end, closed };
}

function blockComment(text: string, start: number): Token {
  // Block comments nest in PostgreSQL: /* a /* b */ c */ is one comment.
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return tok('block-comment', start, i);
    } else {
      i += 1;
    }
  }
  return tok('block-comment', start, text.length, false);
}

/**
 * A quoted string or identifier whose opening quote is at `quote`. A doubled quote is an
 * escaped quote; with `backslash` (E'…'), a backslash escapes the next character.
 */
function quoted(text: string, start: number, quote: number, q: string, backslash: boolean): Token {
  const type: TokenType = q === "'" ? 'string' : 'quoted-ident';
  let i = quote + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslash && ch === '\\') {
      i += 2;
    } else if (ch === q) {
      if (text[i + 1] === q) {
        i += 2;
      } else {
        return tok(type, start, i + 1);
      }
    } else {
      i += 1;
    }
  }
  return tok(type, start, text.length, false);
}

function dollar(text: string, start: number): Token {
  const next = text[start + 1];
  if (next !== undefined && next >= '0' && next <= '9') {
    let i = start + 1;
    while (i < text.length && /[0-9]/.test(text[i] as string)) i += 1;
    return tok('param', start, i);
  }
  DOLLAR_TAG.lastIndex = start;
  const m = DOLLAR_TAG.exec(text);
  if (m === null) return tok('punct', start, start + 1);
  const delimiter = m[0];
  const close = text.indexOf(delimiter, start + delimiter.length);
  if (close < 0) return tok('dollar', start, text.length, false);
  return tok('dollar', start, close + delimiter.length);
}

function identOrPrefixed(text: string, start: number, scs: boolean): Token {
  let i = start + 1;
  while (i < text.length && IDENT_CONT.test(text[i] as string)) i += 1;
  const word = text.slice(start, i);
  const after = text[i];
  if (i - start === 1 && after === "'") {
    // E'…' takes backslash escapes; N'…', B'…', X'…' are ordinary quoted strings (which
    // take them too when standard_conforming_strings is off).
    const escapes = word === 'E' || word === 'e' || !scs;
    return quoted(text, start, i, "'", escapes);
  }
  if ((word === 'U' || word === 'u') && after === '&') {
    const q = text[i + 1];
    if (q === "'" || q === '"') return quoted(text, start, i + 1, q, false);
  }
  return tok('ident', start, i);
}

/** Whether a token carries meaning (not white space, not a comment). */
export function isSignificant(token: Token): boolean {
  return token.type !== 'space' && token.type !== 'line-comment' && token.type !== 'block-comment';
}

/** Every token of `text`, in order. */
export function* tokens(text: string, start = 0, end = text.length): Generator<Token> {
  let i = start;
  while (i < end) {
    const t = scanToken(text, i);
    yield t;
    i = t.end;
  }
}

/**
 * The significant words of a statement, lower-cased, skipping comments: identifiers as
 * they are, other tokens as their text (strings and dollar quotes as a stand-in token).
 */
export function words(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  for (const t of tokens(text)) {
    if (out.length >= limit) break;
    if (!isSignificant(t)) continue;
    if (t.type === 'ident') out.push(text.slice(t.start, t.end).toLowerCase());
    else if (t.type === 'string' || t.type === 'dollar') out.push("'");
    else out.push(text.slice(t.start, t.end));
  }
  return out;
}
