/**
 * The lexer's rules for where things end: the `\.` line of COPY data, psql's heuristic
 * for BEGIN … END function bodies, and the name and arguments of a backslash command.
 */

/** State of the statement being read, as psql's scanner keeps it. */
export interface StatementState {
  start: number;
  lastSignificantEnd: number;
  parenDepth: number;
  beginDepth: number;
  /** First letters of the leading CREATE / OR / REPLACE / FUNCTION / PROCEDURE words. */
  head: string;
  identCount: number;
  /** 0: not a COPY; 1: COPY; 2: COPY … FROM; 3: COPY … FROM STDIN. */
  copy: 0 | 1 | 2 | 3;
}

/** Index of the `\.` line that ends COPY data starting at `from`, or undefined. */
export function findCopyEnd(text: string, from: number): number | undefined {
  let lineStart = from;
  while (lineStart < text.length) {
    if (text.startsWith('\\.', lineStart)) {
      const after = text[lineStart + 2];
      if (
        after === undefined ||
        after === '\n' ||
        (after === '\r' && [undefined, '\n'].includes(text[lineStart + 3]))
      ) {
        return lineStart;
      }
    }
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) return undefined;
    lineStart = nl + 1;
  }
  return undefined;
}

/**
 * psql's heuristic for SQL-standard function bodies: in a statement that starts with
 * CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN … END (and CASE … END inside it) at
 * parenthesis depth 0 nest, and a `;` inside them does not end the statement.
 */
export function track(st: StatementState, word: string): void {
  if (st.identCount < 5 && ['create', 'or', 'replace', 'function', 'procedure'].includes(word)) {
    if (st.head.length === st.identCount) st.head += word[0];
  }
  st.identCount += 1;
  const routine = /^c(f|p|orf|orp)/.test(st.head);
  if (routine && st.parenDepth === 0) {
    if (word === 'begin') st.beginDepth += 1;
    else if (word === 'case' && st.beginDepth >= 1) st.beginDepth += 1;
    else if (word === 'end' && st.beginDepth > 0) st.beginDepth -= 1;
  }
  if (st.identCount === 1) st.copy = word === 'copy' ? 1 : 0;
  else if (st.copy === 1 && word === 'from' && st.parenDepth === 0) st.copy = 2;
  else if (st.copy === 2) st.copy = word === 'stdin' ? 3 : 1;
}

/** Split a backslash command line into its name and its arguments. */
export function parseMeta(line: string): { command: string; args: string } {
  const body = line.replace(/\r$/, '').slice(1);
  // A name is a word (\ir, \gset, \include_relative) or one other character (\., \!, \?).
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body);
  const command = m === null ? body.slice(0, 1) : m[0];
  return { command, args: body.slice(command.length).trim() };
}
