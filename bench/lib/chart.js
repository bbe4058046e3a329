import { writeFile } from 'node:fs/promises';

/**
 * The peer chart of the README (issue 17): one horizontal bar per contender and case, p50 in
 * ms on a log scale (a pool claim and a PGlite load differ by 100x), hand-written SVG.
 * Cases: the peers scenario (a ready, queried database) and the suite scenario (a whole
 * vitest run). Returns undefined when the run measured neither.
 */
export function peerChartSvg(results, caption) {
  const cases = results.filter((r) => r.scenario === 'peers' || r.scenario === 'suite');
  if (cases.length === 0) return undefined;
  const bar = 16;
  const gap = 4;
  const left = 230;
  const width = 760;
  const plot = width - left - 80;
  const values = cases.flatMap((r) => r.measurements.map((m) => m.p50));
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const x = (ms) => left + (plot * Math.log10(Math.max(ms, lo) / lo)) / Math.log10(hi / lo);
  const parts = [];
  let y = 40;
  for (const result of cases) {
    parts.push(
      `<text x="10" y="${y + 12}" font-weight="bold">${xml(`${result.scenario}: ${result.case}`)}</text>`,
    );
    y += 20;
    for (const m of result.measurements) {
      const fill = m.role === 'dbfast' ? '#2b7bb9' : '#b0b0b0';
      parts.push(
        `<text x="${left - 8}" y="${y + 12}" text-anchor="end">${xml(m.name)}</text>`,
        `<rect x="${left}" y="${y}" width="${(x(m.p50) - left).toFixed(1)}" height="${bar}" fill="${fill}"/>`,
        `<text x="${(x(m.p50) + 6).toFixed(1)}" y="${y + 12}">${formatMs(m.p50)}</text>`,
      );
      y += bar + gap;
    }
    y += 12;
  }
  const ticks = [];
  for (let t = lo; t <= hi; t *= 10) {
    ticks.push(
      `<line x1="${x(t).toFixed(1)}" y1="30" x2="${x(t).toFixed(1)}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${x(t).toFixed(1)}" y="${y + 14}" text-anchor="middle" fill="#666">${formatMs(t)}</text>`,
    );
  }
  const height = y + 44;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="18" font-size="13">${xml('p50, log scale; blue: dbfast, grey: the alternatives')}</text>`,
    ...ticks,
    ...parts,
    `<text x="10" y="${height - 10}" fill="#666">${xml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * Write the chart next to latest.json; returns its URL, or undefined when there is none. A
 * --quick run writes peers-quick.svg: peers.svg is the full run's, which the README shows.
 */
export async function writePeerChart(dir, results, caption, { quick = false } = {}) {
  const svg = peerChartSvg(results, caption);
  if (svg === undefined) return undefined;
  const url = new URL(quick ? 'peers-quick.svg' : 'peers.svg', dir);
  await writeFile(url, svg);
  return url;
}

const formatMs = (ms) =>
  ms >= 1000
    ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`
    : `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;

const xml = (text) =>
  String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
