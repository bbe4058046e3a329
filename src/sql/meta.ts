import { dirname, resolve } from 'node:path';
import { canonicalEncoding } from '../config/encodings.js';
import type { MetaSegment } from './lexer.js';
import { isSignificant, tokens } from './tokens.js';
import { splitArgs } from './variables.js';

/**
 * What the pg runner makes of a psql backslash command, decided while planning (before
 * anything runs). Commands it cannot honour are a `MetaProblem`, reported at the command's
 * file:line:col. `\set ON_ERROR_STOP` and `\unset ON_ERROR_STOP` are accepted and change
 * nothing: dbfast always stops at the first error.
 */
export type MetaAction =
  | { kind: 'skip' }
  | { kind: 'include'; target: string }
  | { kind: 'set'; name: string; value: string | undefined }
  | { kind: 'encoding'; encoding: string }
  | { kind: 'echo'; text: string }
  | { kind: 'copy'; statement: string; file: string }
  | { kind: 'if' | 'elif'; value: boolean }
  | { kind: 'else' | 'endif' };

/** A command the pg runner cannot run, and what to do about it. */
export class MetaProblem extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

const SKIPPED = new Set(['restrict', 'unrestrict']);
const INCLUDES = new Set(['i', 'include', 'ir', 'include_relative']);
const RUNNER_HINT =
  'dbfast runs SQL itself and knows \\i, \\ir, \\set, \\unset, \\echo, \\encoding, \\copy … from a file, \\if/\\elif/\\else/\\endif, \\restrict and \\unrestrict. Set runner = "psql" under [repository] in dbfast.toml to run this file with psql.';

export interface MetaContext {
  /** The repository root: `\i` and `\copy` paths are relative to it. */
  root: string;
  /** The absolute path of the file the command is in (`\ir` is relative to its folder). */
  path: string;
  vars: ReadonlyMap<string, string>;
}

/** Decide what `meta` does. Throws MetaProblem for what the pg runner cannot honour. */
export function metaAction(meta: MetaSegment, ctx: MetaContext): MetaAction {
  const name = meta.command;
  const args = (): string[] => {
    try {
      return splitArgs(meta.args, ctx.vars);
    } catch (error) {
      throw new MetaProblem(
        `\\${name} uses ${(error as Error).message}, which dbfast never runs.`,
        RUNNER_HINT,
      );
    }
  };
  if (INCLUDES.has(name)) {
    const base = name === 'ir' || name === 'include_relative' ? dirname(ctx.path) : ctx.root;
    return { kind: 'include', target: resolve(base, args()[0] ?? '') };
  }
  // `\g` with nothing after it only sends the statement before it, which ended there.
  if (SKIPPED.has(name) || (name === 'g' && meta.args === '')) return { kind: 'skip' };
  if (name === 'set' || name === 'unset') {
    const [variable, ...values] = args();
    if (variable === undefined || !/^[A-Za-z0-9_\u0080-\uffff]+$/.test(variable)) {
      // psql lists its variables for a bare \set: nothing to do in a build.
      if (variable === undefined && name === 'set') return { kind: 'skip' };
      throw new MetaProblem(
        `\\${name} needs a variable name (letters, digits and _), got "${variable ?? ''}".`,
      );
    }
    if (variable === 'ON_ERROR_STOP') return { kind: 'skip' };
    return { kind: 'set', name: variable, value: name === 'unset' ? undefined : values.join('') };
  }
  if (name === 'encoding') {
    const [value] = args();
    if (value === undefined) return { kind: 'skip' }; // psql prints the encoding
    return { kind: 'encoding', encoding: checkedEncoding(value) };
  }
  if (name === 'echo' || name === 'qecho') {
    const words = args();
    if (words[0] === '-n') words.shift(); // no newline: one log line either way
    return { kind: 'echo', text: words.join(' ') };
  }
  // psql takes \copy's line as it is: no variables are filled in there.
  if (name === 'copy') return copyAction(meta.args, ctx);
  if (name === 'if' || name === 'elif')
    return { kind: name, value: psqlBoolean(name, args().join(' ')) };
  if (name === 'else' || name === 'endif') return { kind: name };
  throw new MetaProblem(`The psql command \\${name} cannot run without psql.`, RUNNER_HINT);
}

/** The canonical name of an encoding a file declares, or a MetaProblem. */
export function checkedEncoding(value: string): string {
  const encoding = canonicalEncoding(value);
  if (encoding === undefined)
    throw new MetaProblem(
      `"${value}" is not an encoding dbfast can decode.`,
      "Use one of PostgreSQL's encoding names, such as UTF8, LATIN1 or WIN1252.",
    );
  if (encoding.unsafe === true)
    throw new MetaProblem(
      `dbfast cannot read files in ${encoding.name}: its characters may contain the bytes of \\ and ', which the pg runner cannot split safely.`,
      `Convert the file to UTF-8 (iconv -f ${encoding.name} -t UTF-8), or set runner = "psql" under [repository].`,
    );
  return encoding.name;
}

/**
 * `\copy table [(columns)] from 'file' [options]` -> `COPY table [(columns)] FROM STDIN
 * [options]` and the file, relative to the repository root (psql: to its working
 * directory, which for a repository is its root). Only `from` a file: `to`, `program` and
 * `stdin` are refused.
 */
function copyAction(args: string, ctx: MetaContext): MetaAction {
  let depth = 0;
  for (const t of tokens(args)) {
    if (!isSignificant(t)) continue;
    const word = args.slice(t.start, t.end);
    if (word === '(') depth += 1;
    else if (word === ')') depth -= 1;
    const lower = word.toLowerCase();
    if (depth !== 0 || (lower !== 'from' && lower !== 'to')) continue;
    if (lower === 'to') break;
    const rest = args.slice(t.end).trimStart();
    const file = /^'((?:[^']|'')*)'/.exec(rest) ?? /^([^\s'"(]+)/.exec(rest);
    const where = file?.[1] === undefined ? '' : file[1].replaceAll("''", "'");
    if (file === null || ['stdin', 'pstdin', 'program'].includes(where.toLowerCase())) break;
    const statement = `COPY ${args.slice(0, t.start).trim()} FROM STDIN ${rest.slice(file[0].length).trim()}`;
    return { kind: 'copy', statement: statement.trim(), file: resolve(ctx.root, where) };
  }
  throw new MetaProblem(
    "\\copy is supported only from a file (\\copy table FROM 'file' …).",
    'Write COPY … FROM stdin with the data in the file, or set runner = "psql" under [repository].',
  );
}

/** psql's boolean: a prefix of true/false/yes/no, on/off, 1/0 (any case). */
function psqlBoolean(command: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  const prefix = (word: string, min = 1): boolean => v.length >= min && word.startsWith(v);
  if (prefix('true') || prefix('yes') || prefix('on', 2) || v === '1') return true;
  if (prefix('false') || prefix('no') || prefix('off', 2) || v === '0') return false;
  throw new MetaProblem(
    `\\${command} needs a boolean (true, false, on, off, 1, 0 …), got "${value}".`,
    'dbfast evaluates \\if on constants and psql variables only.',
  );
}
