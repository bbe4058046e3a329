import type pg from 'pg';

/**
 * A simple-protocol query of one or more statements that counts how many of them the server
 * completed. When the string fails, that count says which statement failed, without a
 * round trip per statement. Uses node-postgres' documented `Submittable` interface (the one
 * pg-copy-streams and pg-cursor use); result rows are read and dropped.
 */
export interface BatchResult {
  /** Statements the server completed (a CommandComplete each). */
  completed: number;
  /** Rows reported by the completed statements' tags (INSERT 0 5 -> 5). */
  rows: number;
}

export class BatchError extends Error {
  readonly completed: number;
  readonly pgError: unknown;

  constructor(error: unknown, completed: number) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'BatchError';
    this.pgError = error;
    this.completed = completed;
  }
}

/** Connection methods used here (node-postgres' Connection is not in its public types). */
interface Connection {
  query(text: string): void;
  sendCopyFail(message: string): void;
}

class BatchQuery implements pg.Submittable {
  readonly text: string;
  completed = 0;
  rows = 0;
  #done: (error: unknown) => void;

  constructor(text: string, done: (error: unknown) => void) {
    this.text = text;
    this.#done = done;
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg passes its internal Connection here
  submit(connection: any): void {
    (connection as Connection).query(this.text);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  handleCommandComplete(msg: { text?: string }): void {
    this.completed += 1;
    const count = /\s(\d+)$/.exec(msg.text ?? '');
    if (count !== null && /^(INSERT|UPDATE|DELETE|MERGE|COPY)\b/.test(msg.text ?? ''))
      this.rows += Number(count[1]);
  }

  handleCopyInResponse(connection: Connection): void {
    // COPY … FROM stdin without data to send (the lexer hands those to copyFrom instead).
    connection.sendCopyFail(
      'dbfast: COPY FROM STDIN needs its data lines right after the statement',
    );
  }

  handleCopyData(): void {}

  handleError(error: unknown): void {
    // node-postgres forgets the query after an error and handles the ReadyForQuery that
    // follows itself: settle now.
    this.#done(error ?? new Error('query failed'));
  }

  handleReadyForQuery(): void {
    this.#done(undefined);
  }
}

/** Run `text` (any number of statements) as one simple query. Rejects with a BatchError. */
export function runBatch(client: pg.Client, text: string): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const query: BatchQuery = new BatchQuery(text, (error) => {
      if (settled) return;
      settled = true;
      if (error === undefined) resolve({ completed: query.completed, rows: query.rows });
      else reject(new BatchError(error, query.completed));
    });
    client.query(query);
  });
}
