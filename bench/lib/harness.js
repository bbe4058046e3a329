import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * The one measuring loop every scenario uses. Contenders (dbfast and its baselines) take
 * turns inside each round, and the starting contender rotates from round to round, so drift
 * on a busy machine (another test suite, a checkpoint, the page cache filling) hits every
 * contender alike instead of whichever happened to run last. Only `run` is timed:
 * `prepare` (a fresh database to load into) and `cleanup` (dropping a clone) happen off the
 * clock.
 *
 * A contender: { name, role: 'dbfast' | 'baseline', prepare?(), run(state), cleanup?(state, result) }.
 */
export async function measure(contenders, { warmup = 1, iterations = 5, onRound } = {}) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  const notes = new Map();
  const total = warmup + iterations;
  for (let round = 0; round < total; round += 1) {
    for (let k = 0; k < contenders.length; k += 1) {
      const contender = contenders[(round + k) % contenders.length];
      const state = contender.prepare === undefined ? undefined : await contender.prepare();
      const started = performance.now();
      let result;
      try {
        result = await contender.run(state);
      } catch (error) {
        await contender.cleanup?.(state, undefined);
        throw new Error(`${contender.name}: ${error instanceof Error ? error.message : error}`, {
          cause: error,
        });
      }
      const elapsed = performance.now() - started;
      await contender.cleanup?.(state, result);
      // A contender may describe what it did (the strategy dbfast chose): keep the last word.
      if (result !== null && typeof result === 'object' && typeof result.note === 'string') {
        notes.set(contender.name, result.note);
      }
      if (round >= warmup) samples.get(contender.name).push(elapsed);
    }
    onRound?.(round + 1, total);
  }
  return contenders.map((c) => ({
    name: c.name,
    role: c.role ?? 'baseline',
    note: notes.get(c.name),
    ...summarize(samples.get(c.name)),
  }));
}

/** min / median / p95 / max of a list of milliseconds (nearest-rank percentiles). */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const median =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return {
    n: sorted.length,
    min: sorted[0],
    p50: median,
    p95: at(0.95),
    max: sorted[sorted.length - 1],
    samples: values.map((v) => Math.round(v * 100) / 100),
  };
}

/** Sleep, for the artificial slowdown that proves the gates work. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wait until a file is gone: a background pool refill's lock file (src/clone/refill.ts), so
 * that a refill started by one contender never runs during another's measurement.
 */
export async function waitUntilGone(path, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (existsSync(path) && Date.now() < deadline) await sleep(20);
}
