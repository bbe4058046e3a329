import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyCommand } from './lib/corpora.js';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { openBenchProject, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';
import { onPath, runTool } from './lib/tools.js';

/**
 * Loading a large CSV: a repository holding one items.csv, applied by dbfast (its CSV
 * loader streams the file through COPY … FROM STDIN), against psql's `\copy` of the same
 * file into the same table. The table is created in a fresh database off the clock.
 */
const TABLE_SQL =
  'CREATE TABLE items (id bigint, name text, amount numeric(12,2), created_at timestamptz)';

export async function run(ctx) {
  const { lib, server } = ctx;
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
  const project = openBenchProject(
    ctx,
    await writeProject(dir, { templateName: ctx.name('l'), repository }),
  );
  const copy = await copyCommand(lib, csv, 'items.csv');
  let counter = 0;
  const fresh = async () => {
    const database = ctx.name(`l${++counter}`);
    await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(database)}`);
    const client = await server.connect(database);
    try {
      await client.query(TABLE_SQL);
    } finally {
      await client.end();
    }
    return database;
  };
  const drop = (database) => dropDatabase(lib, server.admin, database);
  ctx.progress('loading it');
  const measurements = await measure(
    [
      {
        name: 'dbfast applyRepository (CSV)',
        role: 'dbfast',
        prepare: fresh,
        run: (database) => lib.applyRepository(project, { database }),
        cleanup: drop,
      },
      {
        name: 'psql \\copy',
        prepare: fresh,
        run: (database) =>
          runTool(server, 'psql', [
            '-X',
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            '-d',
            database,
            '-c',
            copy,
          ]),
        cleanup: drop,
      },
    ],
    { warmup: 1, iterations: ctx.iterations(5, 3) },
  );
  ctx.report({
    scenario: 'load',
    case: `CSV, ${rows.toLocaleString('en')} rows (${mb} MB)`,
    measurements,
    comparisons: [compare('load.csv_vs_copy', measurements[0], measurements[1])],
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
