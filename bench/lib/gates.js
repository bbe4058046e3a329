import { THRESHOLDS } from '../thresholds.js';

/**
 * Compare dbfast's figures with a baseline's under the threshold `id` of thresholds.js.
 * Medians (p50) only: the gates are about the typical case, and a median is what survives
 * a noisy 2-core machine.
 */
export function compare(id, dbfast, baseline) {
  const threshold = THRESHOLDS[id];
  if (threshold === undefined) throw new Error(`no threshold "${id}" in bench/thresholds.js`);
  let value;
  if (threshold.kind === 'ratio') value = dbfast.p50 / baseline.p50;
  else if (threshold.kind === 'difference') value = dbfast.p50 - baseline.p50;
  else value = dbfast.p50;
  return {
    gate: id,
    label: threshold.label,
    kind: threshold.kind,
    dbfast: dbfast.name,
    baseline: baseline?.name,
    value,
    max: threshold.max,
    target: threshold.target,
    gated: threshold.gate !== false,
    pass: value <= threshold.max,
  };
}

/** A comparison as text: "1.07x (<= 1.15x)", "+61 ms (<= +80 ms)", "3.1 ms (target 5, <= 25)". */
export function formatComparison(c) {
  const limit = Number.isFinite(c.max) ? c.max : undefined;
  if (c.kind === 'ratio') {
    return `${c.value.toFixed(2)}x${limit === undefined ? '' : ` (<= ${limit}x)`}`;
  }
  if (c.kind === 'difference') {
    const sign = c.value >= 0 ? '+' : '-';
    return `${sign}${Math.abs(c.value).toFixed(0)} ms${limit === undefined ? '' : ` (<= +${limit} ms)`}`;
  }
  return `${c.value.toFixed(1)} ms (target ${c.target} ms, gate <= ${limit} ms)`;
}
