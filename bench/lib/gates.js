import { THRESHOLDS } from '../thresholds.js';

/**
 * Compare dbfast's figures with a baseline's under the threshold `id` of thresholds.js.
 *
 * Paired medians: dbfast and its baseline run once per round (lib/harness.js), so each
 * round gives one ratio (or difference) of two runs made moments apart, and the value is
 * the median of those. The server's own drift (clone times that creep up between two
 * checkpoints, then fall back) cancels out within a round; a ratio of the two overall
 * medians does not: when the drop lands near the middle of the run, the two medians can
 * fall on different sides of it (measured: 1.63x for two equally fast contenders).
 */
export function compare(id, dbfast, baseline) {
  const threshold = THRESHOLDS[id];
  if (threshold === undefined) throw new Error(`no threshold "${id}" in bench/thresholds.js`);
  const pairs =
    baseline === undefined ? [] : dbfast.samples.map((d, i) => [d, baseline.samples[i]]);
  let value;
  if (threshold.kind === 'ratio') value = median(pairs.map(([d, b]) => d / b));
  else if (threshold.kind === 'difference') value = median(pairs.map(([d, b]) => d - b));
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A comparison as text: "1.07x (<= 1.15x)", "1.4x (target 1.3x, gate <= 3x)", "+61 ms (<= +80 ms)", "3.1 ms (target 5, <= 25)". */
export function formatComparison(c) {
  const limit = Number.isFinite(c.max) ? c.max : undefined;
  if (c.kind === 'ratio') {
    if (limit === undefined)
      return `${c.value.toFixed(2)}x${c.target === undefined ? '' : ` (target ${c.target}x)`}`;
    const target = c.target === undefined || c.target === limit ? '' : `target ${c.target}x, gate `;
    return `${c.value.toFixed(2)}x (${target}<= ${limit}x)`;
  }
  if (c.kind === 'difference') {
    const sign = c.value >= 0 ? '+' : '-';
    const target = c.target === undefined ? '' : `target +${c.target} ms, gate `;
    return `${sign}${Math.abs(c.value).toFixed(0)} ms${limit === undefined ? '' : ` (${target}<= +${limit} ms)`}`;
  }
  const gate = limit === undefined ? '' : `, gate <= ${limit} ms`;
  return `${c.value.toFixed(1)} ms (target ${c.target} ms${gate})`;
}
