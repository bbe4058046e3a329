import type pg from 'pg';
import { DbfastError } from '../errors.js';
import { withTransaction } from '../server/connection.js';

/** One statement of a preset's bookkeeping SQL; values go as parameters, never pasted in. */
export interface BookkeepingStatement {
  text: string;
  values?: unknown[];
}

/**
 * Runs a preset's bookkeeping statements (the migration tool's own table and rows) in one
 * transaction, after the migrations. The caller resets the session first: the tool connects
 * with the database's defaults (search_path included), not with `[repository] settings`.
 */
export async function runBookkeeping(
  client: pg.Client,
  statements: BookkeepingStatement[],
): Promise<void> {
  let current = statements[0];
  try {
    await withTransaction(client, async (c) => {
      for (const statement of statements) {
        current = statement;
        await c.query(statement.text, statement.values ?? []);
      }
    });
  } catch (cause) {
    throw new DbfastError(
      'sql.bookkeeping_failed',
      `The migrations ran, but recording them in the migration tool's table failed: ${(cause as Error).message} (while running: ${current?.text.slice(0, 120)})`,
      {
        hint: 'A migration may create the tool\'s table itself; remove that from the migration, or use [repository] type = "plain".',
        cause,
      },
    );
  }
}
