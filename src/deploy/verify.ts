import type { ConnectionParams } from '../config/types.js';
import { DbfastError } from '../errors.js';
import { withClient } from '../server/connection.js';
import { quoteIdent } from '../server/identifiers.js';

/** Every ordinary table of a database (system schemas left out) with its exact row count. */
export async function tableCounts(
  params: ConnectionParams,
  database: string,
): Promise<Record<string, number>> {
  return withClient(
    params,
    async (client) => {
      const { rows } = await client.query<{ schema: string; name: string }>(
        `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
          ORDER BY 1, 2`,
      );
      const counts: Record<string, number> = {};
      for (const { schema, name } of rows) {
        // Names read from the catalog, quoted by the one quoting function.
        const table = `${quoteIdent(schema)}.${quoteIdent(name)}`;
        const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        counts[`${schema}.${name}`] = Number(result.rows[0]?.n ?? 0);
      }
      return counts;
    },
    { database },
  );
}

/** The differences between two tableCounts results, one line each (empty: equal). */
export function countDifferences(
  expected: Record<string, number>,
  actual: Record<string, number>,
): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names.flatMap((name) => {
    const want = expected[name];
    const got = actual[name];
    if (want === got) return [];
    if (got === undefined) return [`${name}: missing on the remote`];
    if (want === undefined) return [`${name}: not in the template`];
    return [`${name}: ${got} rows, the template has ${want}`];
  });
}

/** Throw `deploy.verify_failed` unless the deployed copy has the template's tables and rows. */
export function assertSameCounts(
  expected: Record<string, number>,
  actual: Record<string, number>,
): void {
  const problems = countDifferences(expected, actual);
  if (problems.length === 0) return;
  throw new DbfastError(
    'deploy.verify_failed',
    `The deployed copy does not match the template:\n  ${problems.slice(0, 20).join('\n  ')}`,
    { hint: 'Nothing was replaced; the scratch database on the remote was dropped.', problems },
  );
}
