import { measure, summarize } from './harness.js';

/**
 * Measure one case and compare it, with one second chance in --check mode.
 *
 * On a shared 2-core machine a single unlucky stretch (another test suite starting, a
 * checkpoint) can push a median past a gate by a few percent. So when a gate fails by a
 * small margin, the case is measured again from scratch and the gate is decided on the
 * samples of BOTH runs together (the median of every round's ratio or difference): the
 * figures shown, and the one that decides, are those of the two runs combined, and a note
 * gives each run's own figure. A clear failure (far past its limit, as a real regression or
 * DBFAST_BENCH_SLOWDOWN_MS makes it) is not measured again.
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
  const second = comparisonsOf(again);
  const both = measurements.map((m, i) => combine(m, again[i]));
  const decided = comparisonsOf(both);
  const notes = near.map((c) => {
    const i = comparisons.indexOf(c);
    const rounds = both[0]?.n ?? 0;
    return `near miss, measured twice: ${c.label} was ${figure(c)} then ${figure(second[i])}; decided on both runs' ${rounds} rounds together: ${figure(decided[i])}`;
  });
  return { measurements: both, comparisons: decided, notes };
}

/** One contender's two measurements as one: samples in round order, so pairs stay paired. */
function combine(first, second) {
  return {
    ...first,
    note: second.note ?? first.note,
    ...summarize([...first.samples, ...second.samples]),
  };
}

function figure(c) {
  if (c.kind === 'ratio') return `${c.value.toFixed(2)}x`;
  return `${c.value.toFixed(1)} ms`;
}

/** Within noise of its limit: a ratio up to 1.3x the limit, a difference up to 50 ms over it,
 * an absolute time up to 2x. */
function nearMiss(c) {
  if (c.kind === 'ratio') return c.value <= c.max * 1.3;
  if (c.kind === 'difference') return c.value <= c.max + 50;
  return c.value <= c.max * 2;
}
