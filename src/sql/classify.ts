import { isSignificant, tokens, words } from './tokens.js';

/**
 * What a statement means for transactions:
 * - `ordinary`: can run inside a transaction block (the common case);
 * - `no-transaction`: PostgreSQL refuses it inside a transaction block (VACUUM, CREATE
 *   INDEX CONCURRENTLY, …), or it would break one (a DO block that COMMITs);
 * - `transaction-control`: BEGIN, COMMIT, SAVEPOINT, …: the file manages its own
 *   transactions.
 */
export type StatementClass =
  | { kind: 'ordinary' }
  | { kind: 'no-transaction'; command: string }
  | { kind: 'transaction-control'; command: string };

const ORDINARY: StatementClass = { kind: 'ordinary' };

/**
 * Classify one statement (leading comments are skipped, case does not matter). Follows the
 * PostgreSQL documentation of each command; `ALTER TYPE … ADD VALUE` is ordinary (PG 12+).
 */
export function classifyStatement(text: string): StatementClass {
  const w = words(text, 40);
  const [a = '', b = ''] = w;
  const noTx = (command: string): StatementClass => ({ kind: 'no-transaction', command });
  const control = (command: string): StatementClass => ({ kind: 'transaction-control', command });

  switch (a) {
    case 'begin':
    case 'end':
    case 'abort':
    case 'savepoint':
    case 'release':
      return control(a.toUpperCase());
    case 'start':
      return b === 'transaction' ? control('START TRANSACTION') : ORDINARY;
    case 'commit':
    case 'rollback':
      return b === 'prepared' ? noTx(`${a.toUpperCase()} PREPARED`) : control(a.toUpperCase());
    case 'prepare':
      return b === 'transaction' ? control('PREPARE TRANSACTION') : ORDINARY;
    case 'vacuum':
      return noTx('VACUUM');
    case 'discard':
      return b === 'all' ? noTx('DISCARD ALL') : ORDINARY;
    case 'create':
    case 'drop':
      return createOrDrop(a, w.slice(1), noTx);
    case 'alter':
      if (b === 'system') return noTx('ALTER SYSTEM');
      if (b === 'database' && hasSequence(w, ['set', 'tablespace']))
        return noTx('ALTER DATABASE … SET TABLESPACE');
      if (b === 'table' && hasSequence(w, ['detach', 'partition']) && w.includes('concurrently')) {
        return noTx('ALTER TABLE … DETACH PARTITION … CONCURRENTLY');
      }
      return ORDINARY;
    case 'reindex': {
      const rest = skipGroup(w.slice(1));
      if (rest.includes('concurrently')) return noTx('REINDEX … CONCURRENTLY');
      const target = rest[0] ?? '';
      return ['schema', 'system', 'database'].includes(target)
        ? noTx(`REINDEX ${target.toUpperCase()}`)
        : ORDINARY;
    }
    case 'cluster': {
      const rest = skipGroup(w.slice(1)).filter((x) => x !== 'verbose' && x !== ';');
      return rest.length === 0 ? noTx('CLUSTER without a table') : ORDINARY;
    }
    case 'do':
      return doCommits(text) ? noTx('DO block with COMMIT/ROLLBACK') : ORDINARY;
    default:
      return ORDINARY;
  }
}

function createOrDrop(
  verb: string,
  w: string[],
  noTx: (command: string) => StatementClass,
): StatementClass {
  const what = w[0] ?? '';
  const v = verb.toUpperCase();
  if (['database', 'tablespace', 'subscription'].includes(what))
    return noTx(`${v} ${what.toUpperCase()}`);
  if (verb === 'create' && w[what === 'unique' ? 2 : 1] === 'concurrently' && w.includes('index')) {
    return noTx('CREATE INDEX CONCURRENTLY');
  }
  if (verb === 'drop' && what === 'index' && w[1] === 'concurrently')
    return noTx('DROP INDEX CONCURRENTLY');
  return ORDINARY;
}

/** The words after a leading parenthesised option list, if any. */
function skipGroup(w: string[]): string[] {
  if (w[0] !== '(') return w;
  const close = w.indexOf(')');
  return close < 0 ? [] : w.slice(close + 1);
}

function hasSequence(w: string[], seq: string[]): boolean {
  return w.some((_, i) => seq.every((s, j) => w[i + j] === s));
}

/** Words after which a PL/pgSQL statement starts (so `ON COMMIT DROP` does not count). */
const STATEMENT_START = new Set([';', 'then', 'loop', 'else', 'begin', '>']);

/**
 * Whether a DO block's body contains a COMMIT or ROLLBACK statement (which fails with
 * "invalid transaction termination" inside a transaction block). The body is scanned as
 * SQL, so a COMMIT in a string or comment of the body does not count.
 */
function doCommits(text: string): boolean {
  for (const t of tokens(text)) {
    if (!isSignificant(t)) continue;
    const raw = text.slice(t.start, t.end);
    let body: string | undefined;
    if (t.type === 'dollar') {
      const tag = raw.slice(0, raw.indexOf('$', 1) + 1);
      body = raw.slice(tag.length, t.closed ? raw.length - tag.length : raw.length);
    } else if (t.type === 'string') {
      body = raw.slice(raw.indexOf("'") + 1, -1).replaceAll("''", "'");
    }
    if (body === undefined) continue;
    const w = words(body);
    return w.some(
      (x, i) => (x === 'commit' || x === 'rollback') && STATEMENT_START.has(w[i - 1] ?? ';'),
    );
  }
  return false;
}
