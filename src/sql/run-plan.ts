import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { DbfastError } from '../errors.js';
import { BatchError, runBatch } from './batch-query.js';
import { copyFile } from './copy-file.js';
import { loadCopyFrom } from './copy-stream.js';
import type { FunctionIndex } from './functions.js';
import type { FilePlan, Step } from './plan.js';
import { type FailedAt, sqlError } from './sql-error.js';

/**
 * Runs one planned file on an open session.
 *
 * Transaction mode: everything runs inside one BEGIN … COMMIT and is rolled back whole on
 * error, except statements that cannot run in a transaction block (`alone` steps): the
 * transaction so far is committed, the statement runs on its own, and a new transaction
 * starts for what follows. So a file with such a statement that fails after it keeps what
 * was committed before the failure; a file without one never leaves anything behind.
 *
 * Autocommit mode: every statement is its own round trip, as with psql; what ran before an
 * error stays. A transaction the file opened is rolled back on error, and leaving one open
 * at the end of the file is an error.
 */
export interface RunResult {
  statements: number;
  rows: number;
}

/** Where `\echo` lines go (the reporter's verbose log). */
export type EchoSink = (line: string) => void;

export async function runPlan(
  client: pg.Client,
  plan: FilePlan,
  functions: FunctionIndex,
  echo: EchoSink = () => undefined,
): Promise<RunResult> {
  const runStep = (step: Step, result: RunResult): Promise<void> =>
    runOne(client, step, functions, result, echo);
  const result: RunResult = { statements: 0, rows: 0 };
  // A file that is one batch needs no BEGIN/COMMIT: a multi-statement simple query is
  // already one all-or-nothing (implicit) transaction. One round trip for the whole file.
  const [only, ...rest] = plan.steps;
  if (plan.mode === 'transaction' && only?.kind === 'batch' && rest.length === 0) {
    await runStep(only, result);
    return result;
  }
  let inTransaction = false;
  try {
    for (const step of plan.steps) {
      if (plan.mode === 'transaction') {
        const wanted = step.kind !== 'alone';
        if (wanted !== inTransaction) {
          await client.query(wanted ? 'BEGIN' : 'COMMIT');
          inTransaction = wanted;
        }
      }
      await runStep(step, result);
    }
    if (inTransaction) {
      await client.query('COMMIT');
      inTransaction = false;
    } else if (plan.mode === 'autocommit' && (await transactionOpen(client))) {
      await client.query('ROLLBACK');
      throw new DbfastError(
        'sql.transaction_open',
        `${plan.source.path}: the file ends inside a transaction it opened (BEGIN without COMMIT); it was rolled back.`,
        {
          hint: 'End the file with COMMIT, or remove its BEGIN and let dbfast wrap the file in a transaction.',
        },
      );
    }
    return result;
  } catch (error) {
    // In autocommit mode the file may have opened its own transaction: close it too.
    if (inTransaction || plan.mode === 'autocommit')
      await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function runOne(
  client: pg.Client,
  step: Step,
  functions: FunctionIndex,
  result: RunResult,
  echo: EchoSink,
): Promise<void> {
  if (step.kind === 'echo') {
    echo(`${step.source.path}: ${step.text}`);
    return;
  }
  if (step.kind === 'copy-file') {
    result.rows += await copyFile(client, step);
    result.statements += 1;
    return;
  }
  if (step.kind === 'copy') {
    const { segment } = step;
    const at: FailedAt = { source: step.source, sentOffset: segment.start, copy: segment };
    try {
      const stream = client.query((await loadCopyFrom())(segment.statement));
      await pipeline(Readable.from([Buffer.from(segment.data)]), stream);
      result.statements += 1;
      result.rows += stream.rowCount;
    } catch (error) {
      throw sqlError(error, at, functions);
    }
    return;
  }
  const statements = step.kind === 'alone' ? [step.statement] : step.statements;
  for (const statement of statements) functions.register(step.source, statement);
  const start = step.kind === 'alone' ? step.statement.start : step.start;
  const end = step.kind === 'alone' ? step.statement.end : step.end;
  const { sent } = step;
  try {
    const done = await runBatch(client, sent?.text ?? step.source.text.slice(start, end));
    result.statements += done.completed;
    result.rows += done.rows;
  } catch (error) {
    if (!(error instanceof BatchError)) throw error;
    const failed = statements[Math.min(error.completed, statements.length - 1)];
    throw sqlError(
      error.pgError,
      {
        source: step.source,
        sentOffset: start,
        ...(failed ? { statement: failed } : {}),
        ...(sent === undefined ? {} : { exactUntil: sent.exactUntil }),
      },
      functions,
    );
  }
  if (step.kind === 'batch' && step.resetEncoding === true) {
    // The file set a client_encoding for what follows. dbfast decodes the file itself and
    // sends UTF-8 (node-postgres speaks nothing else), so the server must go on reading
    // UTF-8: what psql would have sent in that encoding arrives converted, as psql's
    // bytes would have been converted by the server. Inside the file's transaction this
    // rolls back with it, to the UTF8 the session had before.
    await client.query("SET client_encoding = 'UTF8'");
  }
}

/**
 * Whether the session is inside a transaction block. In one, now() (the transaction's start)
 * is earlier than the start of this statement; outside, both are this statement's start.
 */
async function transactionOpen(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ open: boolean }>(
    'SELECT now() <> statement_timestamp() AS open',
  );
  return rows[0]?.open === true;
}
