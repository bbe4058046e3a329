import type pg from 'pg';
import type { ConnectionParams, Runner } from '../config/types.js';
import { DbfastError, errorMessage, pgFields } from '../errors.js';
import { unitPlanOptions } from '../presets/mask.js';
import { scanProject } from '../presets/scan.js';
import type { BookkeepingStatement, MigrationUnit } from '../presets/types.js';
import type { Project } from '../project.js';
import type { Reporter } from '../reporter.js';
import { connect, withTransaction } from '../server/connection.js';
import { isConnectionLost } from '../server/failures.js';
import { findPgTool } from '../server/pg-tools.js';
import { runBookkeeping } from './bookkeeping.js';
import { loadCsv } from './csv.js';
import { FunctionIndex } from './functions.js';
import { type FilePlan, planFile } from './plan.js';
import { runWithPsql } from './psql-runner.js';
import { runPlan } from './run-plan.js';
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

/** Run `files` against `database` on the server `params`. Throws a DbfastError at the first failure. */
export async function executeFiles(
  params: ConnectionParams,
  database: string,
  files: MigrationUnit[],
  options: ExecuteOptions,
): Promise<ApplySummary> {
  const started = performance.now();
  const runner = options.runner ?? 'pg';
  const settings = options.settings ?? {};
  const reporter = options.reporter ?? {};
  // Plan everything first: an unsupported psql command or a missing include fails before any SQL runs.
  const plans = new Map<MigrationUnit, FilePlan>();
  for (const file of files) {
    if (file.kind !== 'sql') continue;
    plans.set(
      file,
      await planFile(file.absolutePath, {
        root: options.root,
        metas: runner === 'psql' ? 'lenient' : 'strict',
        encoding: options.encoding ?? 'UTF8',
        standardConformingStrings: isOn(settings.standard_conforming_strings),
        variables: options.variables ?? {},
        ...unitPlanOptions(file),
      }),
    );
  }
  const psqlPath =
    runner === 'psql' && plans.size > 0
      ? (await findPgTool('psql', [], { binDir: options.binDir })).path
      : undefined;
  const functions = new FunctionIndex();
  const summary: ApplySummary = { database, files: [], statements: 0, rows: 0, durationMs: 0 };
  let fresh = true;
  /** The file being run, for notices. */
  let current = '';
  // Connect before anything runs, whatever the files and the runner: a missing database or a
  // refused login is reported as such, and before any file is touched.
  const client = await connect(params, { database });
  client.on('notice', (notice: { severity?: string; message?: string }) => {
    reporter.verbose?.(`${current}: ${notice.severity ?? 'NOTICE'}: ${notice.message ?? ''}`);
  });
  const session = async (): Promise<pg.Client> => {
    if (!fresh) await client.query('RESET ALL');
    fresh = false;
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
  };
  try {
    for (const [index, file] of files.entries()) {
      reporter.progress?.({ task: 'apply', done: index, total: files.length, label: file.path });
      const t0 = performance.now();
      current = file.path;
      const plan = plans.get(file);
      let result = { statements: 0, rows: 0 };
      let mode: FileSummary['mode'];
      if (plan === undefined) {
        const rows = await withTransaction(await session(), (c) =>
          loadCsv(c, file, options.encoding),
        );
        result = { statements: 1, rows };
        mode = 'csv';
      } else if (psqlPath !== undefined) {
        await runWithPsql(params, database, plan, {
          psqlPath,
          root: options.root,
          settings,
          ...(options.variables ? { variables: options.variables } : {}),
          ...(options.encoding ? { encoding: options.encoding } : {}),
        });
        mode = 'psql';
      } else {
        result = await runPlan(await session(), plan, functions, (line) =>
          reporter.verbose?.(line),
        );
        mode = plan.mode;
      }
      const durationMs = Math.round(performance.now() - t0);
      reporter.verbose?.(`${file.path} took ${durationMs} ms`);
      summary.files.push({ path: file.path, mode, ...result, durationMs });
      summary.statements += result.statements;
      summary.rows += result.rows;
    }
    if ((options.bookkeeping ?? []).length > 0) {
      current = 'bookkeeping';
      await client.query('RESET ALL');
      await runBookkeeping(client, options.bookkeeping ?? []);
    }
    reporter.progress?.({ task: 'apply', done: files.length, total: files.length });
  } finally {
    await client.end().catch(() => undefined);
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

export interface ApplyOptions {
  /** The database to run the files in (it must exist). */
  database: string;
  /** The environment whose files run (default: the project's default environment). */
  env?: string;
}

/**
 * Run the project's repository (the files its environment selects, in order) against
 * `database`, with the project's runner and session settings. Used by `dbfast apply` and
 * by the template builder. Stops at the first failing file; see executeFiles.
 */
export async function applyRepository(
  project: Project,
  options: ApplyOptions,
): Promise<ApplySummary> {
  const { repository, server } = project.config;
  const scan = await scanProject(project.config, project.environment(options.env));
  return executeFiles(await project.connection(), options.database, scan.files, {
    bookkeeping: scan.bookkeeping,
    root: repository.path,
    settings: repository.settings,
    runner: repository.runner,
    reporter: project.reporter,
    variables: repository.variables,
    encoding: repository.encoding,
    ...(server.binDir === undefined ? {} : { binDir: server.binDir }),
  });
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
