import { readFile } from 'node:fs/promises';

/**
 * Loading a repository into PGlite (@electric-sql/pglite), the way a user of it would:
 * `exec` each SQL file. What PGlite cannot take as is gets the smallest rewrite that works,
 * and each rewrite is recorded (the bench reports them as fidelity notes):
 *   - `COPY … FROM stdin` blocks (pg_dump's data) -> `COPY … FROM '/dev/blob'` with the block
 *     as the blob (PGlite has no stdin);
 *   - CSV files -> `COPY table (header columns) FROM '/dev/blob' WITH (FORMAT csv, HEADER)`.
 * Kept out of the bench's own process (lib/pglite-worker.js runs it): PGlite holds hundreds
 * of MB of WebAssembly memory that would distort everything measured after it.
 */
export async function loadIntoPglite(files, { PGlite } = {}) {
  const Pglite = PGlite ?? (await import('@electric-sql/pglite')).PGlite;
  const db = await Pglite.create();
  const rewrites = new Set();
  for (const file of files) {
    const text = await readFile(file.absolutePath, 'utf8');
    if (file.kind === 'csv') {
      rewrites.add('CSV file -> COPY FROM /dev/blob');
      const table = file.path
        .split('/')
        .at(-1)
        .replace(/\.csv$/i, '');
      const columns = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => `"${c}"`);
      await db.query(
        `COPY "${table}" (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
        [],
        { blob: new Blob([text]) },
      );
      continue;
    }
    await execWithCopy(db, text, rewrites);
  }
  return { db, rewrites: [...rewrites] };
}

const COPY_STDIN = /^COPY ([^;]+?) FROM stdin;\r?\n([\s\S]*?)^\\\.\r?$/gm;

async function execWithCopy(db, text, rewrites) {
  let at = 0;
  for (const match of text.matchAll(COPY_STDIN)) {
    rewrites.add('COPY FROM stdin -> COPY FROM /dev/blob');
    const before = text.slice(at, match.index);
    if (before.trim() !== '') await db.exec(before);
    await db.query(`COPY ${match[1]} FROM '/dev/blob'`, [], { blob: new Blob([match[2]]) });
    at = match.index + match[0].length;
  }
  const rest = text.slice(at);
  if (rest.trim() !== '') await db.exec(rest);
}

/** Row counts of every ordinary table outside the system schemas: "schema.table" -> rows. */
export async function rowCounts(query) {
  const { rows: tables } = await query(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t
       FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1`,
  );
  const counts = {};
  for (const { t } of tables) {
    const { rows } = await query(`SELECT count(*)::int AS n FROM ${t}`);
    counts[t] = rows[0].n;
  }
  return counts;
}

/**
 * Start lib/pglite-worker.js; `call(op, fields)` resolves with its answer or rejects with
 * its error. `close()` ends it.
 */
export async function startPgliteWorker() {
  const { fork } = await import('node:child_process');
  const child = fork(new URL('./pglite-worker.js', import.meta.url), [], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const waiting = new Map();
  let next = 0;
  child.on('message', (message) => {
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) entry?.resolve(message.result);
    else entry?.reject(new Error(message.error));
  });
  child.on('exit', (code) => {
    for (const entry of waiting.values())
      entry.reject(new Error(`PGlite worker exited (${code}): ${stderr.slice(-500)}`));
    waiting.clear();
  });
  return {
    call: (op, fields = {}) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve, reject });
        child.send({ id, op, ...fields });
      }),
    close: () => {
      child.kill();
    },
  };
}

/** Repository files as plain objects (they cross into the worker over IPC). */
export function plainFiles(files) {
  return files.map((f) => ({ kind: f.kind, path: f.path, absolutePath: f.absolutePath }));
}
