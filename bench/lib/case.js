import { measure } from './harness.js';

/**
 * Measure one case and compare it, with one second chance in --check mode.
 *
 * On a shared 2-core machine a single unlucky stretch (another test suite starting, a
 * checkpoint) can push a median past a gate by a few percent. So when a gate fails by a
 * small margin, the case is measured again from scratch, and the gate fails only if it fails
 * both times; the figures shown are the second run's. A clear failure (far past its limit,
 * as a real regression or DBFAST_BENCH_SLOWDOWN_MS makes it) is not measured again.
 *
 * `comparisonsOf(measurements)` returns the case's comparisons (lib/gates.js compare()).
 */
export async function measureCase(ctx, contenders, options, comparisonsOf) {
  const measurements = await measure(contenders, options);
  const comparisons = comparisonsOf(measurements);
  const near = comparisons.filter((c) => c.gated && !c.pass && nearMiss(c));
  const clear = comparisons.some((c) => c.gated && !c.pass && !nearMiss(c));
  if (!ctx.check || near.length === 0 || clear) return { measurements, comparisons, notes: [] };
  ctx.progress(`near miss (${near.map((c) => c.label).join(', ')}): measuring again`);
  const again = await measure(contenders, options);
  const second = comparisonsOf(again).map((c, i) => ({
    ...c,
    pass: c.pass || comparisons[i].pass,
  }));
  const notes = near.map(
    (c) => `measured twice: ${c.label} was ${c.value.toFixed(2)} the first time`,
  );
  return { measurements: again, comparisons: second, notes };
}

/** Within noise of its limit: a ratio up to 1.3x the limit, a difference up to 50 ms over it,
 * an absolute time up to 2x. */
function nearMiss(c) {
  if (c.kind === 'ratio') return c.value <= c.max * 1.3;
  if (c.kind === 'difference') return c.value <= c.max + 50;
  return c.value <= c.max * 2;
}
