import type { ConnectionParams } from '../config/types.js';
import { scrubSecret } from '../config/url.js';
import { DbfastError, interruptedError, throwIfAborted } from '../errors.js';
import { boundToParent, loadExeca } from '../server/execa.js';
import type { PgTool } from '../server/pg-tools.js';

/**
 * Running pg_dump / pg_restore: always an argument array (no shell), the password only in
 * the child's environment (PGPASSWORD), never on its command line where `ps` would show it.
 * A command is first described as a plain ToolCommand, so tests can check what is run.
 */

export interface ToolCommand {
  tool: PgTool;
  args: string[];
  /** Variables set for the child on top of the inherited environment. */
  env: Record<string, string>;
  /** The password in `env`, to scrub from anything the child prints. */
  secret: string | undefined;
}

/** Inherited variables that would point libpq somewhere other than the arguments say. */
const CONFLICTING = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSERVICE'];

/**
 * Connection arguments for a database. The database goes in as a conninfo string with the
 * name quoted, because libpq reads a `-d` value containing `=` as a conninfo string: a
 * database named `x=y` must not be able to change where the tool connects.
 */
export function connectionArgs(params: ConnectionParams, database: string): string[] {
  const parts = [`dbname=${conninfoValue(database)}`];
  if (params.sslmode !== undefined) parts.push(`sslmode=${conninfoValue(params.sslmode)}`);
  return ['-h', params.host, '-p', String(params.port), '-U', params.user, '-d', parts.join(' ')];
}

/** The child's extra environment: the password (if any) and the application name. */
export function connectionEnv(params: ConnectionParams): Record<string, string> {
  const env: Record<string, string> = { PGAPPNAME: 'dbfast' };
  if (params.password !== undefined) env.PGPASSWORD = params.password;
  return env;
}

/** Quote a libpq conninfo value: single quotes, with `\` and `'` escaped by a backslash. */
export function conninfoValue(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export interface RunOptions {
  /** Aborting kills the child (SIGTERM, then SIGKILL) and rejects with code `interrupted`. */
  signal?: AbortSignal | undefined;
}

/**
 * Run a tool to completion. On failure, the error carries its exit code and the end of its
 * stderr, with the password scrubbed out.
 */
export async function runTool(
  command: ToolCommand,
  options: RunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const [file, args] = boundToParent(command.tool.path, command.args);
  const result = await (await loadExeca())(file, args, {
    env: toolEnv(command),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    // Stopped with SIGTERM when dbfast is interrupted, SIGKILL if it lingers.
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
    forceKillAfterDelay: 5000,
  });
  if (result.isCanceled || options.signal?.aborted === true) throw interrupted(command);
  if (result.exitCode !== 0) throw toolFailure(command, result);
  const scrub = (text: unknown): string => scrubSecret(String(text ?? ''), command.secret);
  return { stdout: scrub(result.stdout), stderr: scrub(result.stderr) };
}

/** The child's whole environment: the inherited one minus CONFLICTING, plus the command's. */
export function toolEnv(command: ToolCommand): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of CONFLICTING) delete env[key];
  return Object.assign(env, command.env);
}

/** The error for a child that was stopped by an abort signal. */
export function interrupted(command: ToolCommand): DbfastError {
  return interruptedError(`Interrupted: ${command.tool.name} was stopped.`);
}

/** The error for a child that failed: its exit code (or signal) and its stderr's last lines. */
export function toolFailure(
  command: ToolCommand,
  result: { exitCode?: number | undefined; signal?: string | undefined; stderr?: unknown },
): DbfastError {
  const stderr = scrubSecret(String(result.stderr ?? ''), command.secret).trim();
  const tail = stderr.split('\n').slice(-12).join('\n');
  const how =
    result.exitCode === undefined
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.exitCode}`;
  return new DbfastError(
    'pgtool.failed',
    `${command.tool.name} ${how}${tail === '' ? '.' : `:\n${tail}`}`,
    { hint: `${command.tool.name} ${command.tool.version} at ${command.tool.path}` },
  );
}

export { throwIfAborted };
