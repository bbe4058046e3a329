import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { openHandle, writeProject } from './lib/projects.js';

/**
 * The no-change check: ensureTemplate() on a repository of 1,000 small .sql files whose
 * template is already current (what every `dbfast clone` and every test run pays first).
 * Target: under 100 ms, server round trip included. Shown beside the least any check must
 * do: stat the 1,000 files (a cache keyed by size and mtime saves reading them) and ask the
 * server one question on a new connection.
 */
const FILES = 1000;

export async function run(ctx) {
  if (typeof ctx.lib.createDbfast !== 'function') {
    ctx.unavailable('nochange', 'createDbfast is not exported by dist/index.js yet');
    return;
  }
  const dir = join(ctx.tmp, 'nochange');
  const repository = join(dir, 'sql');
  await mkdir(repository, { recursive: true });
  const paths = [];
  const past = new Date(Date.now() - 60_000);
  for (let i = 1; i <= FILES; i += 1) {
    const n = String(i).padStart(4, '0');
    const path = join(repository, `${n}_t${n}.sql`);
    paths.push(path);
    await writeFile(path, `CREATE TABLE t${n} (id int PRIMARY KEY, note text);\n`);
    // Files as a repository has them: not written in the last seconds. A file modified
    // within HashCache.RACY_MS (2 s) of its hashing is re-read until that window passes
    // (git's racy rule), and the build now takes less than that: without this, the check
    // would measure 2 s of deliberate re-reading instead of the steady state.
    await utimes(path, past, past);
  }
  const configPath = await writeProject(dir, { templateName: ctx.name('nc'), repository });
  const handle = await openHandle(ctx, configPath);
  try {
    ctx.progress(`building a template of ${FILES} files (once)`);
    await handle.ensureTemplate();
    let rebuilt = 0;
    const { measurements, comparisons, notes } = await measureCase(
      ctx,
      [
        {
          name: 'ensureTemplate() (current)',
          role: 'dbfast',
          run: async () => {
            const result = await handle.ensureTemplate();
            if (result.built) rebuilt += 1;
            return { note: result.built ? 'REBUILT' : 'current' };
          },
        },
        {
          name: 'stat files + SELECT 1',
          run: async () => {
            await Promise.all(paths.map((path) => stat(path)));
            await selectOne(ctx);
          },
        },
        {
          name: 'read + sha256 files + SELECT 1',
          run: async () => {
            const hash = createHash('sha256');
            for (const text of await Promise.all(paths.map((path) => readFile(path)))) {
              hash.update(text);
            }
            hash.digest('hex');
            await selectOne(ctx);
          },
        },
      ],
      { warmup: 3, iterations: ctx.iterations(30, 10) },
      ([check, minimum, rehash]) => [
        compare('build.nochange', check),
        compare('build.nochange_vs_minimum', check, minimum),
        compare('build.nochange_vs_rehash', check, rehash),
      ],
    );
    if (rebuilt > 0)
      notes.push(`the template was rebuilt ${rebuilt} time(s): it should have been current`);
    ctx.report({
      scenario: 'build',
      case: `no-change check (${FILES.toLocaleString('en')} files)`,
      measurements,
      comparisons,
      notes,
    });
    if (rebuilt > 0) throw new Error('ensureTemplate() rebuilt a current template');
  } finally {
    await handle.close();
  }
}

/** One query on a new connection: the least a check that asks the server can cost. */
async function selectOne(ctx) {
  const client = await ctx.server.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}
