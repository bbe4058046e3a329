/**
 * The one error type dbfast throws. Core modules never print and never exit: they throw a
 * DbfastError and the CLI (src/cli/run.ts) decides how to show it and which exit code to use.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** A usage error, or a destructive action refused because it was not confirmed. */
  usage: 2,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM, after cleaning up (128 + SIGINT, as shells do). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What PostgreSQL said, kept as it came (no password is ever part of these fields). */
export interface PgErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
}

/** Where in a SQL file an error happened (1-based line and column, in code points). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** A few lines of the file with a caret under the column. */
  excerpt?: string;
}

export interface DbfastErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
  pg?: PgErrorFields;
  location?: SourceLocation;
  /** Every problem, when one error stands for several (config validation). */
  problems?: string[];
}

/**
 * The one error type dbfast throws (test with `instanceof` or `isDbfastError`): `code` is a
 * stable dotted string (`config.unknown_key`, `clone.exists`, …), `exitCode` the exit code
 * the CLI uses for it (see ExitCode), `hint` what to do next, `pg` what PostgreSQL said.
 * Its message, hint and JSON form never contain a password. Library calls may also reject
 * with a `pg` or Node file-system error that reached them unwrapped (a lost connection, a
 * full disk); the CLI reports those as what they are.
 */
export class DbfastError extends Error {
  /** Stable machine-readable code, e.g. `config.unknown_key`, `server.unreachable`. */
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  readonly pg: PgErrorFields | undefined;
  readonly location: SourceLocation | undefined;
  readonly problems: string[];

  constructor(code: string, message: string, options: DbfastErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbfastError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.pg = options.pg;
    this.location = options.location;
    this.problems = options.problems ?? [];
  }

  /** The JSON form used by `--json` output. Never contains a password. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      exitCode: this.exitCode,
      pg: this.pg,
      location: this.location,
      problems: this.problems.length > 0 ? this.problems : undefined,
    };
  }
}

/** A usage error: bad flags, bad names, refused destructive actions. Exit code 2. */
export function usageError(code: string, message: string, hint?: string): DbfastError {
  return new DbfastError(code, message, { hint, exitCode: ExitCode.usage });
}

/** The error a command throws when it was interrupted (and has cleaned up). Exit code 130. */
export function interruptedError(message = 'Interrupted.'): DbfastError {
  return new DbfastError('interrupted', message, {
    exitCode: ExitCode.interrupted,
    hint: 'Nothing half-made was left behind.',
  });
}

/** Throw the `interrupted` error if the signal has fired (checked between steps). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw interruptedError();
}

/** Whether `error` is a DbfastError (a type guard). */
export function isDbfastError(error: unknown): error is DbfastError {
  return error instanceof DbfastError;
}

/** The fields PostgreSQL put on a `pg` DatabaseError, or undefined for other errors. */
export function pgFields(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    code: e.code,
    detail: str(e.detail),
    hint: str(e.hint),
    position: num(e.position),
    internalPosition: num(e.internalPosition),
    internalQuery: str(e.internalQuery),
    where: str(e.where),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
