import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { psqlArgs } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { loadContenders } from './lib/loaders.js';
import { openBenchProject, writeProject } from './lib/projects.js';
import { onPath } from './lib/tools.js';

/**
 * Loading a large CSV: a repository of one items.csv (and the one-line 0_items.sql that
 * creates its table), applied by dbfast (its CSV loader streams the file through COPY …
 * FROM STDIN), against `psql -1 -f 0_items.sql -c '\copy items …'` on the same files
 * (lib/loaders.js says what else is on the clock).
 */
const TABLE_SQL =
  'CREATE TABLE items (id bigint, name text, amount numeric(12,2), created_at timestamptz);\n';

export async function run(ctx) {
  const { lib } = ctx;
  if (typeof lib.applyRepository !== 'function') {
    ctx.unavailable('load', 'applyRepository is not exported by dist/index.js yet');
    return;
  }
  if ((await onPath('psql')) === undefined) {
    ctx.unavailable('load', 'psql is not on the PATH');
    return;
  }
  const rows = ctx.quick ? 200_000 : 1_000_000;
  const dir = join(ctx.tmp, 'load');
  const repository = join(dir, 'sql');
  const csv = join(repository, 'items.csv');
  ctx.progress(`writing a CSV of ${rows.toLocaleString('en')} rows`);
  await writeCsv(csv, rows);
  const mb = ((await stat(csv)).size / 1024 / 1024).toFixed(0);
  await writeFile(join(repository, '0_items.sql'), TABLE_SQL);
  const project = openBenchProject(
    ctx,
    await writeProject(dir, { templateName: ctx.name('l'), repository }),
  );
  const files = await lib.scanRepository(repository, project.environment());
  const args = await psqlArgs(lib, files, { singleTransaction: true });
  ctx.progress('loading it');
  const contenders = loadContenders(ctx, {
    project,
    args,
    env: {},
    psqlName: 'psql -1 \\copy',
    tag: 'l',
  });
  const { measurements, comparisons, notes } = await measureCase(
    ctx,
    contenders,
    { warmup: 1, iterations: ctx.iterations(5, 3) },
    ([dbfast, psql]) => [compare('load.csv_vs_copy', dbfast, psql)],
  );
  ctx.report({
    scenario: 'load',
    case: `CSV, ${rows.toLocaleString('en')} rows (${mb} MB)`,
    measurements,
    comparisons,
    notes,
  });
}

/** items.csv: a header and `rows` lines of plain, quoted and numeric fields. */
async function writeCsv(path, rows) {
  await mkdir(join(path, '..'), { recursive: true });
  const out = createWriteStream(path);
  out.write('id,name,amount,created_at\n');
  const start = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= rows; i += 1) {
    const name = i % 10 === 0 ? `"Item ${i}, boxed"` : `Item ${i}`;
    const when = new Date(start + i * 61_000).toISOString();
    if (!out.write(`${i},${name},${(i % 100_000) / 100},${when}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
