import { mkdir, writeFile } from 'node:fs/promises';
import { formatComparison } from './gates.js';

/** Output of the bench: a text table per measured case, a summary table, and latest.json. */

const ms = (value) =>
  value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1);

function table(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) =>
        align[i] === 'r' ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i]),
      )
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One measured case: its contenders' figures (ms) and its comparisons. */
export function formatCase(result) {
  const rows = result.measurements.map((m) => [
    `${m.role === 'dbfast' ? '*' : ' '} ${m.name}`,
    ms(m.min),
    ms(m.p50),
    ms(m.p95),
    ms(m.max),
    m.n,
    m.note ?? '',
  ]);
  const lines = [
    '',
    `${result.scenario} · ${result.case}`,
    table(['  contender (ms)', 'min', 'p50', 'p95', 'max', 'n', 'note'], rows, [
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'l',
    ]),
  ];
  for (const c of result.comparisons)
    lines.push(`  ${c.label}: ${formatComparison(c)}${verdict(c)}`);
  for (const note of result.notes ?? []) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

const verdict = (c) => (!c.gated ? '  (reported, not gated)' : c.pass ? '  ok' : '  FAIL');

/** Every comparison of the run as a Markdown table (readable as is; pasted into the README). */
export function formatSummary(results) {
  const rows = [];
  for (const r of results) {
    for (const c of r.comparisons) {
      const dbfast = r.measurements.find((m) => m.name === c.dbfast);
      const baseline = r.measurements.find((m) => m.name === c.baseline);
      rows.push([
        r.scenario,
        r.case,
        c.dbfast,
        ms(dbfast?.p50),
        c.baseline ?? '-',
        ms(baseline?.p50),
        formatComparison(c),
        c.gated ? (c.pass ? 'ok' : 'FAIL') : 'info',
      ]);
    }
  }
  const header = ['scenario', 'case', 'dbfast', 'p50 ms', 'baseline', 'p50 ms', 'result', 'gate'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 3 || i === 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The setting the figures were measured in, one line. */
export function formatSetting(s) {
  return [
    `PostgreSQL ${s.postgres} (${s.serverKind}, fsync=${s.fsync ? 'on' : 'off'}${s.fileCopyMethod === undefined ? '' : `, file_copy_method=${s.fileCopyMethod}`})`,
    `${s.cpus} x ${s.cpuModel}`,
    `dbfast ${s.dbfast}`,
    `node ${s.node}`,
    s.quick ? 'quick' : 'full',
  ].join(' · ');
}

/** bench/results/latest.json (ignored by git). */
export async function writeResults(dir, document) {
  await mkdir(dir, { recursive: true });
  const path = new URL('latest.json', dir);
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}
