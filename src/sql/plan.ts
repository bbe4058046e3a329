import { access, readFile } from 'node:fs/promises';
import { DbfastError } from '../errors.js';
import { classifyStatement } from './classify.js';
import { InvalidBytes } from './encoding.js';
import type { CopySegment, MetaSegment, Segment, StatementSegment } from './lexer.js';
import { MetaProblem, metaAction } from './meta.js';
import { type At, display, invalidBytes, located, metaText } from './plan-errors.js';
import { conditional, settingsChanged } from './plan-state.js';
import { group, type Item } from './plan-steps.js';
import { SourceReader } from './source-reader.js';
import { interpolate } from './variables.js';

/**
 * Turns a SQL file (and the files it includes with `\i` / `\ir`) into the steps the
 * executor runs, and decides how the file uses transactions. Planning reads, decodes and
 * lexes every file and evaluates its psql commands before anything runs, so an unsupported
 * command, a missing include or a byte that is not valid in the file's encoding fails
 * before any SQL is sent.
 *
 * What psql learns from the server as it goes, planning follows in file order, across
 * includes: the client encoding (`SET client_encoding`, `set_config(…)`, `\encoding`: the
 * bytes after it are decoded with it), standard_conforming_strings (the text after it is
 * lexed with it), psql variables (`\set`, `\unset`) and `\if` branches.
 */

/** A file's decoded text, and how to name it in messages (relative to the repository root). */
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
      /** The text to send when it is not the file's (psql variables filled in). */
      sent?: { text: string; exactUntil: number };
      /** The batch ends with a client_encoding change: set it back to UTF8 after it (see run-plan.ts). */
      resetEncoding?: boolean;
    }
  /** A statement that must run outside a transaction block (VACUUM, … CONCURRENTLY). */
  | {
      kind: 'alone';
      source: SourceFile;
      statement: StatementSegment;
      command: string;
      sent?: { text: string; exactUntil: number };
    }
  | { kind: 'copy'; source: SourceFile; segment: CopySegment }
  /** `\copy … from 'file'`: the file's contents, decoded, through COPY … FROM STDIN. */
  | {
      kind: 'copy-file';
      source: SourceFile;
      meta: MetaSegment;
      statement: string;
      file: string;
      /** The file as named in messages. */
      name: string;
      encoding: string;
    }
  /** `\echo`: a line for the verbose log. */
  | { kind: 'echo'; source: SourceFile; text: string };

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
  /** Every file read for this plan (the file, its includes, `\copy` files), for the fingerprint and watch. */
  files: string[];
}

export interface PlanOptions {
  /** The repository root: `\i` and `\copy` paths and messages are relative to it. */
  root: string;
  /**
   * `strict` (the pg runner): psql commands are evaluated (see meta.ts) and what cannot
   * run is an error. `lenient` (the psql runner): only includes are followed, the rest is
   * left to psql.
   */
  metas?: 'strict' | 'lenient';
  /** The client encoding a file starts in (PostgreSQL name; default UTF8). */
  encoding?: string;
  /** standard_conforming_strings when a file starts (default on). */
  standardConformingStrings?: boolean;
  /** psql variables set before the file starts (`[repository] variables`). */
  variables?: Record<string, string>;
  /** Called with every file planning reads, as it reads it (also when planning then fails). */
  onRead?: (path: string) => void;
  /**
   * Rewrites the file's own bytes (not its includes') before lexing, keeping every character
   * offset: a repository preset's up-section (src/presets/mask.ts).
   */
  prepare?: (bytes: Buffer) => Buffer;
  /** Run the file in autocommit mode, for this reason (a preset's no-transaction marker). */
  autocommit?: string;
}

/** The first line that puts a file in autocommit mode. */
export const NO_TRANSACTION_MARKER = /^--\s*dbfast:no-transaction\b/;

/** Plan the file at `absolutePath`. Throws a DbfastError (with file:line:col) for what cannot run. */
export async function planFile(absolutePath: string, options: PlanOptions): Promise<FilePlan> {
  const strict = options.metas !== 'lenient';
  const initialEncoding = options.encoding ?? 'UTF8';
  const state = {
    encoding: initialEncoding,
    scs: options.standardConformingStrings ?? true,
    vars: new Map(Object.entries(options.variables ?? {})),
    /** Open \if blocks: whether the current branch runs, and whether one already ran. */
    conds: [] as { active: boolean; taken: boolean }[],
  };
  const files: string[] = [];
  const items: Item[] = [];
  let control: string | undefined;

  const visit = async (path: string, stack: string[], from?: At): Promise<SourceFile> => {
    if (stack.includes(path)) {
      const chain = [...stack, path].map((p) => display(options.root, p)).join(' -> ');
      throw located(
        from,
        'sql.include_cycle',
        `${metaText(from)} includes a file that is already being included (${chain}).`,
        'Remove the cycle.',
      );
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw located(
        from,
        'sql.include_missing',
        `Cannot read ${display(options.root, path)}${from === undefined ? '' : ` (included by ${metaText(from).split(' ')[0]})`}: ${(cause as NodeJS.ErrnoException).code ?? cause}.`,
        from === undefined
          ? undefined
          : '\\ir paths are relative to the including file; \\i paths to the repository root.',
      );
    }
    if (stack.length === 0 && options.prepare !== undefined) bytes = options.prepare(bytes);
    files.push(path);
    options.onRead?.(path);
    const source: SourceFile = { path: display(options.root, path), absolutePath: path, text: '' };
    const reader = new SourceReader(bytes, state.scs);
    const fail = (segment: Segment, error: unknown): DbfastError => {
      source.text = reader.text;
      if (!(error instanceof MetaProblem)) return error as DbfastError;
      return located({ source, segment }, 'sql.meta_unsupported', error.message, error.hint);
    };
    for (;;) {
      let segment: Segment | undefined;
      try {
        segment = reader.next(state.encoding);
      } catch (error) {
        if (!(error instanceof InvalidBytes)) throw error;
        throw invalidBytes(source, error);
      }
      if (segment === undefined) break;
      const active = state.conds.every((c) => c.active);
      if (segment.kind === 'trivia') continue;
      // A batch is the file's text from its first statement to its last: one that a
      // backslash command or a skipped (\if'd out) statement would fall into ends before it.
      if (segment.kind === 'meta' || !active) {
        const last = items.at(-1);
        if (last !== undefined) last.endsBatch = true;
        if (!active && segment.kind !== 'meta') continue;
      }
      if (segment.kind === 'copy') {
        items.push({ step: { kind: 'copy', source, segment } });
        continue;
      }
      if (segment.kind === 'statement') {
        if (segment.empty) continue;
        const c = classifyStatement(segment.text);
        if (c.kind === 'transaction-control')
          control ??= `${c.command} at ${source.path}:${segment.line}`;
        const ends = settingsChanged(segment, state, initialEncoding, (e) =>
          fail(segment as Segment, e),
        );
        const filled = strict
          ? interpolate(segment.text, state.vars, state.scs)
          : { text: segment.text, first: -1 };
        items.push({
          step: {
            kind: 'batch',
            source,
            start: segment.start,
            end: segment.end,
            statements: [segment],
            ...(filled.first < 0 ? {} : { sent: { text: filled.text, exactUntil: filled.first } }),
            ...(ends.resetEncoding ? { resetEncoding: true } : {}),
          },
          ...(c.kind === 'no-transaction' ? { command: c.command } : {}),
          endsBatch: ends.endsBatch || filled.first >= 0,
        });
        continue;
      }
      let action: ReturnType<typeof metaAction>;
      try {
        action = metaAction(segment, { root: options.root, path, vars: state.vars });
      } catch (error) {
        if (strict && (active || ['if', 'elif', 'else', 'endif'].includes(segment.command)))
          throw fail(segment, error);
        continue;
      }
      if (action.kind === 'include') {
        if (!strict && [...stack, path].includes(action.target)) continue;
        if (!active) continue;
        const scs = state.scs;
        source.text = reader.text;
        await visit(action.target, [...stack, path], { source, segment });
        if (state.scs !== scs) reader.relex(state.scs);
        continue;
      }
      if (!strict) continue;
      try {
        conditional(action, state.conds);
      } catch (error) {
        throw fail(segment, error);
      }
      if (!active) continue;
      if (action.kind === 'set') {
        if (action.value === undefined) state.vars.delete(action.name);
        else state.vars.set(action.name, action.value);
      } else if (action.kind === 'encoding') {
        state.encoding = action.encoding;
      } else if (action.kind === 'echo') {
        items.push({ step: { kind: 'echo', source, text: action.text } });
      } else if (action.kind === 'copy') {
        const missing = await access(action.file).then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e.code ?? String(e),
        );
        if (missing !== undefined) {
          source.text = reader.text;
          throw located(
            { source, segment },
            'sql.copy_missing',
            `\\copy cannot read ${display(options.root, action.file)}: ${missing}.`,
            '\\copy paths are relative to the repository root.',
          );
        }
        files.push(action.file);
        options.onRead?.(action.file);
        items.push({
          step: {
            kind: 'copy-file',
            source,
            meta: segment,
            statement: action.statement,
            file: action.file,
            name: display(options.root, action.file),
            encoding: state.encoding,
          },
        });
      }
    }
    source.text = reader.text;
    if (stack.length === 0 && state.conds.length > 0) {
      throw new DbfastError(
        'sql.meta_unsupported',
        `${source.path}: the file ends inside an \\if block (no \\endif).`,
        { hint: 'Close every \\if with \\endif.' },
      );
    }
    return source;
  };

  const source = await visit(absolutePath, []);
  const marker = NO_TRANSACTION_MARKER.test(source.text)
    ? `the file starts with "-- dbfast:no-transaction"`
    : undefined;
  const reason =
    options.autocommit ??
    marker ??
    (control === undefined ? undefined : `it controls its own transactions (${control})`);
  const mode = reason === undefined ? 'transaction' : 'autocommit';
  return {
    source,
    mode,
    ...(reason === undefined ? {} : { reason }),
    steps: group(items, mode),
    files,
  };
}

export { display } from './plan-errors.js';
