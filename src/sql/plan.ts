import type { CopySegment, MetaSegment, StatementSegment } from './lexer.js';
import { group } from './plan-steps.js';
import { PlanWalker } from './plan-walk.js';

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
  const walker = new PlanWalker(options);
  const source = await walker.visit(absolutePath, []);
  const control = walker.control;
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
    steps: group(walker.items, mode),
    files: walker.files,
  };
}

export { display } from './plan-errors.js';
