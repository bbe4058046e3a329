import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConnectionParams } from '../config/types.js';
import { DbfastError } from '../errors.js';
import { boundToParent, loadExeca } from '../server/execa.js';
import { decodeLoosely } from './encoding.js';
import { lex } from './lexer.js';
import { display, type FilePlan } from './plan.js';
import { excerpt } from './position.js';

/**
 * The `runner = "psql"` way to run a file: `psql -X -q -v ON_ERROR_STOP=1 -f FILE`, with
 * `--single-transaction` when the file allows it (no statement that cannot run in a
 * transaction block, no transaction control of its own, in it or in what it includes).
 * Connection settings go through the environment; the password only through PGPASSWORD.
 */
export interface PsqlOptions {
  psqlPath: string;
  root: string;
  settings: Record<string, string>;
  /** psql variables, passed as `-v name=value`. */
  variables?: Record<string, string>;
  /** The client encoding files start in (PGCLIENTENCODING; default UTF8, not the locale's). */
  encoding?: string;
}

/** Whether psql may wrap the whole file in one transaction. */
export function singleTransaction(plan: FilePlan): boolean {
  return plan.mode === 'transaction' && plan.steps.every((step) => step.kind !== 'alone');
}

/** The child environment: connection in PG* variables, session settings in PGOPTIONS. */
export function psqlEnv(
  params: ConnectionParams,
  database: string,
  settings: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: params.host,
    PGPORT: String(params.port),
    PGUSER: params.user,
    PGDATABASE: database,
    PGAPPNAME: 'dbfast',
  };
  if (params.password !== undefined) env.PGPASSWORD = params.password;
  if (params.sslmode !== undefined) env.PGSSLMODE = params.sslmode;
  // libpq splits PGOPTIONS at spaces; a backslash escapes a space or a backslash.
  const escapeOption = (v: string): string => v.replace(/[\\ ]/g, (c) => `\\${c}`);
  const options = Object.entries(settings).map(
    ([k, v]) => `-c ${escapeOption(k)}=${escapeOption(v)}`,
  );
  if (options.length > 0) env.PGOPTIONS = options.join(' ');
  return env;
}

/** Run one planned file with psql; a failure becomes a DbfastError with file:line. */
export async function runWithPsql(
  params: ConnectionParams,
  database: string,
  plan: FilePlan,
  options: PsqlOptions,
): Promise<void> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  for (const [name, value] of Object.entries(options.variables ?? {}))
    args.push('-v', `${name}=${value}`);
  if (singleTransaction(plan)) args.push('--single-transaction');
  args.push('-f', plan.source.absolutePath);
  const result = await (await loadExeca())(...boundToParent(options.psqlPath, args), {
    cwd: options.root,
    env: {
      ...psqlEnv(params, database, options.settings),
      PGCLIENTENCODING: options.encoding ?? 'UTF8',
    },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
  });
  if (result.exitCode === 0) return;
  throw await psqlError(String(result.stderr), result.exitCode ?? -1, plan, {
    root: options.root,
    encoding: options.encoding ?? 'UTF8',
  });
}

const PSQL_ERROR = /^psql:(.+?):(\d+): (ERROR|FATAL|error):\s+(.*)$/m;

/**
 * Map psql's `psql:FILE:LINE: ERROR:  …` (and its DETAIL/HINT lines) to a DbfastError. The
 * failing file is read again for the excerpt only, decoded in the encoding it ran in (the
 * environment's: psql got it as PGCLIENTENCODING), so a Latin-1 file's excerpt reads right.
 */
export async function psqlError(
  stderr: string,
  exitCode: number,
  plan: FilePlan,
  where: { root: string; encoding: string },
): Promise<DbfastError> {
  const { root } = where;
  const m = PSQL_ERROR.exec(stderr);
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(stderr)?.[1];
  const detail = field('DETAIL');
  const hint = field('HINT');
  const pg = {
    ...(detail === undefined ? {} : { detail }),
    ...(hint === undefined ? {} : { hint }),
  };
  if (m === null) {
    const text = stderr.trim() === '' ? `psql exited with code ${exitCode}` : stderr.trim();
    return new DbfastError('sql.psql_failed', `${plan.source.path}: ${text}`, {
      ...(hint === undefined ? {} : { hint }),
    });
  }
  const absolute = resolve(root, m[1] as string);
  const file = display(root, absolute);
  const text = await readFile(absolute).then(
    (bytes) => decodeLoosely(bytes, where.encoding),
    () => undefined,
  );
  const { line, column } = statementStart(text, Number(m[2]));
  const location = {
    file,
    line,
    column,
    ...(text === undefined ? {} : { excerpt: excerpt(text, line, column) }),
  };
  return new DbfastError(
    'sql.failed',
    `${file}:${line}:${column}: ${m[3]}: ${(m[4] as string).trim()}`,
    {
      location,
      pg,
      ...(hint === undefined ? {} : { hint }),
    },
  );
}

/**
 * psql names the line on which the failing statement ends; point at where that statement
 * starts instead (the same line for a one-line statement).
 */
function statementStart(text: string | undefined, line: number): { line: number; column: number } {
  if (text === undefined) return { line, column: 1 };
  const segments = lex(text).filter((s) => s.kind !== 'trivia' && s.line <= line);
  const last = segments.at(-1);
  if (last === undefined) return { line, column: 1 };
  const endLine = last.line + (last.text.match(/\n/g)?.length ?? 0);
  return endLine >= line ? { line: last.line, column: last.column } : { line, column: 1 };
}
