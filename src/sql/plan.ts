import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { DbfastError } from '../errors.js';
import { classifyStatement } from './classify.js';
import { type CopySegment, lex, type MetaSegment, type StatementSegment } from './lexer.js';
import { excerpt } from './position.js';

/**
 * Turns a SQL file (and the files it includes with `\i` / `\ir`) into the steps the
 * executor runs, and decides how the file uses transactions. Planning reads and lexes every
 * file before anything runs, so an unsupported psql command fails before any SQL is sent.
 */

/** A file's text, and how to name it in messages (relative to the repository root). */
export interface SourceFile {
  path: string;
  absolutePath: string;
  text: string;
}

export type Step =
  /** Consecutive statements of one source, sent as one simple-query string. */
  | {
      kind: 'batch';
      source: SourceFile;
      start: number;
      end: number;
      statements: StatementSegment[];
    }
  /** A statement that must run outside a transaction block (VACUUM, … CONCURRENTLY). */
  | { kind: 'alone'; source: SourceFile; statement: StatementSegment; command: string }
  | { kind: 'copy'; source: SourceFile; segment: CopySegment };

export interface FilePlan {
  source: SourceFile;
  /**
   * `transaction`: the steps run inside BEGIN … COMMIT, except `alone` steps, which run
   * between two transactions. `autocommit`: every statement on its own, as psql does.
   */
  mode: 'transaction' | 'autocommit';
  /** Why the file runs in autocommit mode. */
  reason?: string;
  steps: Step[];
  /** Every file read for this plan (the file and its includes), for the fingerprint and watch. */
  files: string[];
}

export interface PlanOptions {
  /** The repository root: `\i` paths and messages are relative to it. */
  root: string;
  /**
   * `strict` (the pg runner): any psql command but \i, \ir, \set ON_ERROR_STOP, \restrict and
   * \unrestrict is an error. `lenient` (the psql runner): other commands are left to psql.
   */
  metas?: 'strict' | 'lenient';
}

/** The first line that puts a file in autocommit mode. */
export const NO_TRANSACTION_MARKER = /^--\s*dbfast:no-transaction\b/;

const SKIPPED = new Set(['restrict', 'unrestrict']);

interface Item {
  source: SourceFile;
  segment: StatementSegment | CopySegment;
  command?: string;
}

/** Plan the file at `absolutePath`. Throws a DbfastError (with file:line) for what cannot run. */
export async function planFile(absolutePath: string, options: PlanOptions): Promise<FilePlan> {
  const files: string[] = [];
  const items: Item[] = [];
  let control: string | undefined;

  const visit = async (
    path: string,
    stack: string[],
    from?: { source: SourceFile; meta: MetaSegment },
  ): Promise<SourceFile> => {
    if (stack.includes(path)) {
      throw located(
        from,
        'sql.include_cycle',
        `\\${from?.meta.command} ${from?.meta.args} includes a file that is already being included (${[...stack, path].map((p) => display(options.root, p)).join(' -> ')}).`,
        'Remove the cycle.',
      );
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw located(
        from,
        'sql.include_missing',
        `Cannot read ${display(options.root, path)}${from === undefined ? '' : ` (included by \\${from.meta.command})`}: ${(cause as NodeJS.ErrnoException).code ?? cause}.`,
        from === undefined
          ? undefined
          : '\\ir paths are relative to the including file; \\i paths to the repository root.',
      );
    }
    files.push(path);
    const source: SourceFile = { path: display(options.root, path), absolutePath: path, text };
    for (const segment of lex(text)) {
      if (segment.kind === 'copy') items.push({ source, segment });
      if (segment.kind === 'statement' && !segment.empty) {
        const c = classifyStatement(segment.text);
        if (c.kind === 'transaction-control')
          control ??= `${c.command} at ${source.path}:${segment.line}`;
        items.push({
          source,
          segment,
          ...(c.kind === 'no-transaction' ? { command: c.command } : {}),
        });
      }
      if (segment.kind !== 'meta') continue;
      const meta = { source, meta: segment };
      const name = segment.command;
      if (name === 'i' || name === 'include' || name === 'ir' || name === 'include_relative') {
        const base = name === 'ir' || name === 'include_relative' ? dirname(path) : options.root;
        const target = resolve(base, unquote(segment.args));
        if (options.metas === 'lenient' && [...stack, path].includes(target)) continue;
        await visit(target, [...stack, path], meta);
      } else if (SKIPPED.has(name) || (name === 'set' && /^ON_ERROR_STOP\b/i.test(segment.args))) {
        // Harmless here: dbfast always stops at the first error, and \restrict only guards psql.
      } else if (options.metas !== 'lenient') {
        throw located(
          meta,
          'sql.meta_unsupported',
          `The psql command \\${name} cannot run without psql.`,
          'dbfast runs SQL itself and knows only \\i, \\ir, \\set ON_ERROR_STOP, \\restrict and \\unrestrict. Set runner = "psql" under [repository] in dbfast.toml to run this file with psql.',
        );
      }
    }
    return source;
  };

  const source = await visit(absolutePath, []);
  const marker = NO_TRANSACTION_MARKER.test(source.text)
    ? `the file starts with "-- dbfast:no-transaction"`
    : undefined;
  const reason =
    marker ?? (control === undefined ? undefined : `it controls its own transactions (${control})`);
  const mode = reason === undefined ? 'transaction' : 'autocommit';
  return {
    source,
    mode,
    ...(reason === undefined ? {} : { reason }),
    steps: group(items, mode),
    files,
  };
}

/** Group items into steps: in transaction mode, runs of ordinary statements of one source become one batch. */
function group(items: Item[], mode: FilePlan['mode']): Step[] {
  const steps: Step[] = [];
  for (const { source, segment, command } of items) {
    if (segment.kind === 'copy') {
      steps.push({ kind: 'copy', source, segment });
    } else if (command !== undefined && mode === 'transaction') {
      steps.push({ kind: 'alone', source, statement: segment, command });
    } else {
      const last = steps.at(-1);
      if (mode === 'transaction' && last?.kind === 'batch' && last.source === source) {
        last.statements.push(segment);
        last.end = segment.end;
      } else {
        steps.push({
          kind: 'batch',
          source,
          start: segment.start,
          end: segment.end,
          statements: [segment],
        });
      }
    }
  }
  return steps;
}

/** psql strips one pair of quotes around a file name. */
function unquote(arg: string): string {
  const m = /^'(.*)'$/.exec(arg) ?? /^"(.*)"$/.exec(arg);
  return m?.[1] ?? arg;
}

/** A path as shown in messages: relative to the root with `/`, or absolute when outside it. */
export function display(root: string, path: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.split(sep).join('/');
}

function located(
  at: { source: SourceFile; meta: MetaSegment } | undefined,
  code: string,
  message: string,
  hint?: string,
): DbfastError {
  if (at === undefined) return new DbfastError(code, message, hint === undefined ? {} : { hint });
  const { source, meta } = at;
  return new DbfastError(code, `${source.path}:${meta.line}:${meta.column}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
    location: {
      file: source.path,
      line: meta.line,
      column: meta.column,
      excerpt: excerpt(source.text, meta.line, meta.column),
    },
  });
}

/**
 * The files that `files` include with `\i` / `\ir` and that are not repository files
 * themselves (absolute paths, sorted), so a template fingerprint can cover them. Files that
 * cannot be planned are skipped here: running them reports the problem.
 */
export async function includedFiles(
  root: string,
  files: { absolutePath: string; kind: string }[],
): Promise<string[]> {
  const own = new Set(files.map((f) => f.absolutePath));
  const found = new Set<string>();
  for (const file of files) {
    if (file.kind !== 'sql') continue;
    const plan = await planFile(file.absolutePath, { root, metas: 'lenient' }).catch(
      () => undefined,
    );
    for (const path of plan?.files ?? []) if (!own.has(path)) found.add(path);
  }
  return [...found].sort();
}
