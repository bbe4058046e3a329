import type { FilePlan, Step } from './plan.js';

/** One planned piece of a file, before statements are grouped into batches. */
export interface Item {
  step: Step;
  /** Set for a statement that cannot run in a transaction block. */
  command?: string;
  /** Nothing may follow this statement in its batch (it changes how the server reads what follows). */
  endsBatch?: boolean;
}

/**
 * Group items into steps: in transaction mode, runs of ordinary statements of one source
 * become one batch (one round trip), unless a statement must end its batch or be sent with
 * psql variables filled in (then it is a batch of its own). In autocommit mode every
 * statement is its own batch, as psql sends it.
 */
export function group(items: Item[], mode: FilePlan['mode']): Step[] {
  const steps: Step[] = [];
  let open = false;
  for (const { step, command, endsBatch } of items) {
    if (step.kind !== 'batch') {
      steps.push(step);
      open = false;
      continue;
    }
    const statement = step.statements[0];
    if (command !== undefined && mode === 'transaction' && statement !== undefined) {
      const sent = step.sent === undefined ? {} : { sent: step.sent };
      steps.push({ kind: 'alone', source: step.source, statement, command, ...sent });
      open = false;
      continue;
    }
    const last = steps.at(-1);
    const joins =
      mode === 'transaction' &&
      open &&
      step.sent === undefined &&
      last?.kind === 'batch' &&
      last.source === step.source;
    if (joins && statement !== undefined) {
      last.statements.push(statement);
      last.end = step.end;
      if (step.resetEncoding) last.resetEncoding = true;
    } else {
      steps.push(step);
    }
    open = endsBatch !== true && step.sent === undefined;
  }
  return steps;
}
