import { scanToken } from './tokens.js';

/**
 * psql variables as the pg runner fills them in: `:name` (the value as it is), `:'name'`
 * (a string literal), `:"name"` (a quoted identifier) and `:{?name}` (TRUE when set), outside quotes, dollar quotes and
 * comments, never in a `::` cast; a name that is not set stays as written, as in psql.
 *
 * One difference from psql, which lexes a `:name` value as more SQL: dbfast fills values
 * in after it has split the file into statements, so a value holding a `;` does not end a
 * statement. (No repository we know of relies on that.)
 */

const NAME = /[A-Za-z0-9_\u0080-\uffff]+/y;
const DEFINED = /\{\?([A-Za-z0-9_\u0080-\uffff]+)\}/y;
const QUOTED = /(['"])([A-Za-z0-9_\u0080-\uffff]+)\1/y;

export interface Interpolated {
  text: string;
  /** Index in the original text of the first substitution (-1: none, `text` is the original). */
  first: number;
}

/** Fill `vars` into one SQL statement (see the module comment). */
export function interpolate(
  text: string,
  vars: ReadonlyMap<string, string>,
  standardConformingStrings = true,
): Interpolated {
  if (vars.size === 0 || !text.includes(':')) return { text, first: -1 };
  let out = '';
  let copied = 0;
  let first = -1;
  let pos = 0;
  while (pos < text.length) {
    const t = scanToken(text, pos, standardConformingStrings);
    pos = t.end;
    if (t.type !== 'punct' || text[t.start] !== ':') continue;
    if (text[t.start + 1] === ':') {
      pos = t.start + 2; // a cast: `x::int`
      continue;
    }
    const found = variableAt(text, t.start + 1, vars);
    if (found === undefined) continue;
    if (first < 0) first = t.start;
    out += text.slice(copied, t.start) + found.value;
    copied = found.end;
    pos = found.end;
  }
  return first < 0 ? { text, first } : { text: out + text.slice(copied), first };
}

/** The variable reference right after a `:` at `at - 1`, when its variable is set. */
function variableAt(
  text: string,
  at: number,
  vars: ReadonlyMap<string, string>,
): { value: string; end: number } | undefined {
  DEFINED.lastIndex = at;
  const defined = DEFINED.exec(text);
  if (defined !== null) {
    // psql's `:{?name}`: whether the variable is set.
    return { value: vars.has(defined[1] as string) ? 'TRUE' : 'FALSE', end: DEFINED.lastIndex };
  }
  QUOTED.lastIndex = at;
  const quoted = QUOTED.exec(text);
  if (quoted !== null) {
    const value = vars.get(quoted[2] as string);
    if (value === undefined) return undefined;
    return {
      value: quoted[1] === "'" ? quoteLiteral(value) : quoteIdentifier(value),
      end: QUOTED.lastIndex,
    };
  }
  NAME.lastIndex = at;
  const name = NAME.exec(text);
  const value = name === null ? undefined : vars.get(name[0]);
  return value === undefined ? undefined : { value, end: NAME.lastIndex };
}

/** libpq's PQescapeLiteral: `'…'` with quotes doubled; ` E'…'` when there is a backslash. */
export function quoteLiteral(value: string): string {
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** libpq's PQescapeIdentifier: `"…"` with double quotes doubled. */
export function quoteIdentifier(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Escapes psql understands inside a single-quoted backslash-command argument. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', b: '\b', r: '\r', f: '\f' };

/**
 * The arguments of a backslash command, as psql splits them: separated by white space;
 * `'…'` quoted (`''` and `\'` for a quote, `\n` and friends); `:name`, `:'name'`, `:"name"`
 * filled in outside quotes; `"…"` kept with its quotes. Throws for a back-quoted shell
 * command, which dbfast never runs.
 */
export function splitArgs(args: string, vars: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < args.length) {
    while (i < args.length && /\s/.test(args[i] as string)) i += 1;
    if (i >= args.length) break;
    let word = '';
    while (i < args.length && !/\s/.test(args[i] as string)) {
      const ch = args[i] as string;
      if (ch === '`') throw new Error('a back-quoted shell command');
      if (ch === "'") {
        i += 1;
        while (i < args.length) {
          const c = args[i] as string;
          if (c === "'" && args[i + 1] === "'") {
            word += "'";
            i += 2;
          } else if (c === "'") {
            i += 1;
            break;
          } else if (c === '\\' && i + 1 < args.length) {
            const e = args[i + 1] as string;
            word += ESCAPES[e] ?? e;
            i += 2;
          } else {
            word += c;
            i += 1;
          }
        }
      } else if (ch === '"') {
        const close = args.indexOf('"', i + 1);
        const end = close < 0 ? args.length : close + 1;
        word += args.slice(i, end);
        i = end;
      } else if (ch === ':' && variableAt(args, i + 1, vars) !== undefined) {
        const found = variableAt(args, i + 1, vars) as { value: string; end: number };
        word += found.value;
        i = found.end;
      } else {
        word += ch;
        i += 1;
      }
    }
    out.push(word);
  }
  return out;
}
