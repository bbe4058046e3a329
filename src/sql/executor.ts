import type pg from 'pg';
import type { ConnectionParams, Runner } from '../config/types.js';
import { DbfastError, errorMessage, pgFields } from '../errors.js';
import type { Reporter } from '../reporter.js';
import { connect, withTransaction } from '../server/connection.js';
import { isConnectionLost } from '../server/failures.js';
import { findPgTool } from '../server/pg-tools.js';
import { type BookkeepingStatement, runBookkeeping } from './bookkeeping.js';
import { loadCsv } from './csv.js';
import { FunctionIndex } from './functions.js';
import { type FilePlan, type PlanOptions, planFile } from './plan.js';
import { runWithPsql } from './psql-runner.js';
import { runPlan } from './run-plan.js';
import type { RepositoryFile } from './scan.js';
import { isOn } from './settings.js';

/**
 * Runs a repository's files against one database, in order, and stops at the first error.
 *
 * - Every file runs in its own transaction and is rolled back whole when it fails; its
 *   statements go to the server as one simple-query string (one round trip), COPY … FROM
 *   stdin blocks stream their data inside the same transaction.
 * - Statements that cannot run in a transaction block (VACUUM, CREATE INDEX CONCURRENTLY,
 *   a DO block that COMMITs, …) run on their own between two transactions, in file order:
 *   a file that has one and fails after it keeps what ran before it.
 * - Files that start with `-- dbfast:no-transaction` or contain BEGIN/COMMIT of their own run
 *   statement by statement in autocommit mode, as psql would run them.
 * - psql commands (`\i`, `\ir`, `\set`, `\copy` from a file, `\if` …) are evaluated while
 *   planning (see meta.ts); what the pg runner cannot honour is an error before anything runs.
 * - Files are read as bytes and decoded with the encoding they declare (encoding.ts).
 * - All files run in one session. Before each file the session is reset (RESET ALL) and the
 *   repository settings applied again, so every file starts in the same state. Server
 *   notices (RAISE NOTICE, "… does not exist, skipping") go to the reporter's `verbose`.
 * - With runner = "psql", each .sql file is handed to psql (see psql-runner.ts); .csv files
 *   still load through dbfast's own connection.
 */
export interface ExecuteOptions {
  /** The repository root: `\i` paths and the paths in messages are relative to it. */
  root: string;
  /** Session settings (`search_path` …) applied before each file with set_config(). */
  settings?: Record<string, string>;
  runner?: Runner;
  reporter?: Reporter;
  /** psql variables: `-v name=value` for psql, set before each file by the pg runner. */
  variables?: Record<string, string>;
  /** The client encoding SQL files start in and CSV files are written in (default UTF8). */
  encoding?: string;
  /** Folder holding psql (`[server] bin_dir`), for the psql runner. */
  binDir?: string;
  /** A preset's bookkeeping SQL, run after the files (see src/presets). */
  bookkeeping?: BookkeepingStatement[];
}

export interface FileSummary {
  path: string;
  /** How the file ran. */
  mode: FilePlan['mode'] | 'csv' | 'psql';
  /** Statements the server completed (COPY blocks count as one; unknown with psql: 0). */
  statements: number;
  /** Rows written (INSERT/UPDATE/DELETE/COPY counts; unknown with psql: 0). */
  rows: number;
  durationMs: number;
}

export interface ApplySummary {
  database: string;
  files: FileSummary[];
  statements: number;
  rows: number;
  durationMs: number;
}

/**
 * One file for the runner: a repository file and, when its caller asks for it, how the
 * planner reads it. Plain data: a preset turns its units into these (src/presets/mask.ts).
 */
export interface ExecutableFile extends RepositoryFile {
  read?: Pick<PlanOptions, 'prepare' | 'autocommit' | 'encoding'>;
}

/** Run `files` against `database` on the server `params`. Throws a DbfastError at the first failure. */
export async function executeFiles(
  params: ConnectionParams,
  database: string,
  files: ExecutableFile[],
  options: ExecuteOptions,
): Promise<ApplySummary> {
  const started = performance.now();
  const runner = options.runner ?? 'pg';
  const reporter = options.reporter ?? {};
  // Plan everything first: an unsupported psql command or a missing include fails before any SQL runs.
  const plans = await planFiles(files, options, runner);
  const psqlPath =
    runner === 'psql' && plans.size > 0
      ? (await findPgTool('psql', [], { binDir: options.binDir })).path
      : undefined;
  const summary: ApplySummary = { database, files: [], statements: 0, rows: 0, durationMs: 0 };
  // Connect before anything runs, whatever the files and the runner: a missing database or a
  // refused login is reported as such, and before any file is touched.
  const session = await openSession(params, database, options.settings ?? {}, reporter);
  const functions = new FunctionIndex();
  try {
    for (const [index, file] of files.entries()) {
      reporter.progress?.({ task: 'apply', done: index, total: files.length, label: file.path });
      const t0 = performance.now();
      session.current = file.path;
      const { mode, ...result } = await runFile(file, plans.get(file), {
        params,
        database,
        options,
        session,
        functions,
        psqlPath,
      });
      const durationMs = Math.round(performance.now() - t0);
      reporter.verbose?.(`${file.path} took ${durationMs} ms`);
      summary.files.push({ path: file.path, mode, ...result, durationMs });
      summary.statements += result.statements;
      summary.rows += result.rows;
    }
    if ((options.bookkeeping ?? []).length > 0) {
      session.current = 'bookkeeping';
      await session.client.query('RESET ALL');
      await runBookkeeping(session.client, options.bookkeeping ?? []);
    }
    reporter.progress?.({ task: 'apply', done: files.length, total: files.length });
  } finally {
    await session.client.end().catch(() => undefined);
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

/** Plan every SQL file (CSV files need no plan): what cannot run fails here, before any SQL. */
async function planFiles(
  files: ExecutableFile[],
  options: ExecuteOptions,
  runner: Runner,
): Promise<Map<ExecutableFile, FilePlan>> {
  const plans = new Map<ExecutableFile, FilePlan>();
  for (const file of files) {
    if (file.kind !== 'sql') continue;
    plans.set(
      file,
      await planFile(file.absolutePath, {
        root: options.root,
        metas: runner === 'psql' ? 'lenient' : 'strict',
        encoding: options.encoding ?? 'UTF8',
        standardConformingStrings: isOn(options.settings?.standard_conforming_strings),
        variables: options.variables ?? {},
        ...file.read,
      }),
    );
  }
  return plans;
}

/** The one session all files run in; `current` names the file server notices belong to. */
interface Session {
  client: pg.Client;
  current: string;
  /** The client, reset and with the repository settings applied: a fresh start for a file. */
  fresh(): Promise<pg.Client>;
}

async function openSession(
  params: ConnectionParams,
  database: string,
  settings: Record<string, string>,
  reporter: Reporter,
): Promise<Session> {
  const client = await connect(params, { database });
  let used = false;
  const session: Session = {
    client,
    current: '',
    fresh: async () => {
      if (used) await client.query('RESET ALL');
      used = true;
      const names = Object.keys(settings);
      if (names.length > 0) {
        await client
          .query('SELECT set_config(k, v, false) FROM unnest($1::text[], $2::text[]) AS s(k, v)', [
            names,
            Object.values(settings),
          ])
          .catch((error: unknown) => {
            throw settingsError(error);
          });
      }
      return client;
    },
  };
  client.on('notice', (notice: { severity?: string; message?: string }) => {
    reporter.verbose?.(
      `${session.current}: ${notice.severity ?? 'NOTICE'}: ${notice.message ?? ''}`,
    );
  });
  return session;
}

/** Run one file: a CSV load, a psql run or the pg runner's plan. */
async function runFile(
  file: ExecutableFile,
  plan: FilePlan | undefined,
  run: {
    params: ConnectionParams;
    database: string;
    options: ExecuteOptions;
    session: Session;
    functions: FunctionIndex;
    psqlPath: string | undefined;
  },
): Promise<{ mode: FileSummary['mode']; statements: number; rows: number }> {
  const { options, session } = run;
  if (plan === undefined) {
    const rows = await withTransaction(await session.fresh(), (c) =>
      loadCsv(c, file, options.encoding),
    );
    return { mode: 'csv', statements: 1, rows };
  }
  if (run.psqlPath !== undefined) {
    await runWithPsql(run.params, run.database, plan, {
      psqlPath: run.psqlPath,
      root: options.root,
      settings: options.settings ?? {},
      ...(options.variables ? { variables: options.variables } : {}),
      ...(options.encoding ? { encoding: options.encoding } : {}),
    });
    return { mode: 'psql', statements: 0, rows: 0 };
  }
  const result = await runPlan(await session.fresh(), plan, run.functions, (line) =>
    options.reporter?.verbose?.(line),
  );
  return { mode: plan.mode, ...result };
}

/** A `[repository] settings` value the server refuses: a configuration error, not a bug. */
function settingsError(error: unknown): unknown {
  const pg = pgFields(error);
  if (pg === undefined || isConnectionLost(error)) return error;
  return new DbfastError(
    'config.invalid_setting',
    `[repository] settings: the server refused them: ${errorMessage(error)}`,
    {
      hint: 'Fix the name or value under [repository] settings in dbfast.toml (values are what SET would accept).',
      cause: error,
      pg,
    },
  );
}
