import { isSignificant, tokens } from './tokens.js';

/**
 * Statements that change how the rest of a file is read: `standard_conforming_strings`
 * (whether `'a\'b'` is one string) and `client_encoding` (how the bytes that follow are
 * decoded). psql learns both from the server after each statement; dbfast reads them from
 * the statement itself, before anything runs:
 *
 * - `SET [SESSION | LOCAL] name { TO | = } value | DEFAULT`, `RESET name`, `RESET ALL`;
 * - `SELECT [pg_catalog.]set_config('name', 'value', …)` (pg_dump's form), with literal
 *   arguments only.
 *
 * A value of `undefined` means "back to the session's default".
 */
export interface SettingChange {
  name: 'standard_conforming_strings' | 'client_encoding';
  value: string | undefined;
}

const WATCHED = ['standard_conforming_strings', 'client_encoding'] as const;
const MENTION = /standard_conforming_strings|client_encoding|reset/i;

/** The lexing-relevant settings a statement changes (usually none). */
export function settingChanges(text: string): SettingChange[] {
  // Nearly every statement is ruled out by this test alone.
  if (!MENTION.test(text)) return [];
  const w = significant(text, 12);
  const [a, b] = w;
  if (a?.word === 'reset') {
    if (b?.word === 'all') return WATCHED.map((name) => ({ name, value: undefined }));
    const name = watched(b?.word);
    return name === undefined ? [] : [{ name, value: undefined }];
  }
  if (a?.word === 'set') {
    let i = 1;
    if (w[i]?.word === 'session' || w[i]?.word === 'local') i += 1;
    const name = watched(w[i]?.word);
    const op = w[i + 1]?.word;
    if (name === undefined || (op !== 'to' && op !== '=')) return [];
    const value = w[i + 2];
    if (value === undefined) return [];
    return [{ name, value: value.word === 'default' ? undefined : value.value }];
  }
  if (a?.word === 'select') {
    let i = 1;
    if (w[i]?.word === 'pg_catalog' && w[i + 1]?.word === '.') i += 2;
    if (w[i]?.word !== 'set_config' || w[i + 1]?.word !== '(') return [];
    const name = watched(w[i + 2]?.string);
    const value = w[i + 4]?.string;
    if (name === undefined || w[i + 3]?.word !== ',' || value === undefined) return [];
    return [{ name, value }];
  }
  return [];
}

function watched(word: string | undefined): SettingChange['name'] | undefined {
  return WATCHED.find((name) => name === word?.toLowerCase());
}

interface Word {
  /** Lower-cased identifier or punctuation. */
  word: string;
  /** The value as SET takes it: a string literal's content, or the word as written. */
  value: string;
  /** A plain string literal's content. */
  string?: string;
}

/** The first significant tokens of `text`, with string literals unquoted. */
function significant(text: string, limit: number): Word[] {
  const out: Word[] = [];
  for (const t of tokens(text)) {
    if (out.length >= limit) break;
    if (!isSignificant(t)) continue;
    const raw = text.slice(t.start, t.end);
    if (t.type === 'string' && raw.startsWith("'")) {
      const content = raw.slice(1, -1).replaceAll("''", "'");
      out.push({ word: "'", value: content, string: content });
    } else if (t.type === 'quoted-ident') {
      out.push({ word: raw.slice(1, -1).replaceAll('""', '"'), value: raw.slice(1, -1) });
    } else {
      out.push({ word: raw.toLowerCase(), value: raw });
    }
  }
  return out;
}

/** What `standard_conforming_strings` means for a value (`off`, `false`, `0`, … are off). */
export function isOn(value: string | undefined): boolean {
  if (value === undefined) return true;
  return !/^(off|false|f|no|n|0)$/i.test(value.trim());
}
