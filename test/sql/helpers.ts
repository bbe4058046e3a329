import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DbfastError } from '../../src/errors.js';
import { type ApplySummary, type ExecuteOptions, executeFiles } from '../../src/sql/executor.js';
import { listRepository } from '../../src/sql/scan.js';
import { query, testServer } from '../helpers/server.js';

/** A repository folder in a temp dir, with the given files (path -> text). */
export async function tempRepo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dbfast-sql-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

export async function removeRepo(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Run every .sql/.csv file of `root` (natural order) against `database` on the test server. */
export async function runRepo(
  root: string,
  database: string,
  options: Partial<ExecuteOptions> = {},
): Promise<ApplySummary> {
  return executeFiles(testServer(), database, await listRepository(root), { root, ...options });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<DbfastError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DbfastError) return error;
    throw error;
  }
  throw new Error('expected a failure, but it succeeded');
}

/** Tables (schema.name) with at least one row, and their row counts. */
export async function rowCounts(database: string): Promise<Record<string, number>> {
  const rows = await query<{ counts: Record<string, number> | null }>(
    database,
    `SELECT json_object_agg(t, n ORDER BY t) AS counts FROM (
       SELECT format('%I.%I', ns.nspname, c.relname) AS t,
              (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', ns.nspname, c.relname), false, true, '')))[1]::text::bigint AS n
         FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE c.relkind = 'r' AND ns.nspname NOT IN ('pg_catalog', 'information_schema')
          AND ns.nspname NOT LIKE 'pg_toast%'
     ) s WHERE n > 0`,
  );
  return rows[0]?.counts ?? {};
}

/** Column (1-based, in code points) of `needle` in `line`, computed independently of src/. */
export function columnOf(line: string, needle: string): number {
  return [...line.slice(0, line.indexOf(needle))].length + 1;
}

/** Roles on the test server, to remove the ones a corpus creates cluster-wide. */
export async function roleNames(): Promise<Set<string>> {
  const rows = await query<{ rolname: string }>(
    testServer().database,
    'SELECT rolname FROM pg_roles',
  );
  return new Set(rows.map((r) => r.rolname));
}
