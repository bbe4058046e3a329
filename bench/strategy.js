import { join } from 'node:path';
import { bigRepository } from './clone.js';
import { compare } from './lib/gates.js';
import { measure } from './lib/harness.js';
import { openHandle, writeProject } from './lib/projects.js';
import { dropDatabase } from './lib/server.js';

/**
 * The measurement behind src/clone/strategy.ts (`npm run bench -- --only strategy`):
 * CREATE DATABASE … TEMPLATE with STRATEGY FILE_COPY against STRATEGY WAL_LOG, raw, on one
 * connection, taking turns on the same template, for templates of ~10 MB (the example),
 * ~40 MB and ~130 MB (full runs). On PG18 FILE_COPY runs with `file_copy_method = clone`
 * when dbfast would use it (it falls back to a plain copy where the file system cannot).
 * Reported, not gated: the figure is the median of the per-round FILE_COPY / WAL_LOG
 * ratios; below 1 FILE_COPY is faster. Clones are dropped off the clock.
 */
export async function run(ctx) {
  const { lib, server } = ctx;
  if (server.info.major < 15) {
    ctx.unavailable('strategy', `PostgreSQL ${server.info.version} has no STRATEGY clause`);
    return;
  }
  const templates = [
    {
      key: 'sx',
      label: 'example template',
      repository: new URL('../sql', import.meta.url).pathname,
    },
    { key: 'sm', label: 'generated template', repository: await bigRepository(ctx, 200_000) },
  ];
  if (ctx.quick) {
    ctx.skip('strategy · ~130 MB template', 'not measured in --quick (run `npm run bench`)');
  } else {
    templates.push({
      key: 'sb',
      label: 'generated template',
      repository: await bigRepository(ctx),
    });
  }
  for (const template of templates) {
    const configPath = await writeProject(join(ctx.tmp, `strategy-${template.key}`), {
      templateName: ctx.name(template.key),
      repository: template.repository,
      strategy: 'file_copy',
    });
    const handle = await openHandle(ctx, configPath);
    ctx.progress(`building the ${template.label} (once)`);
    const built = await handle.ensureTemplate();
    // What dbfast does for FILE_COPY on this server (file_copy_method = clone on PG18+).
    const probe = await handle.clone({ name: ctx.name(`${template.key}_probe`) });
    await dropDatabase(lib, server.admin, probe.name);
    await handle.close();
    const cloneFiles = probe.strategy.endsWith('+clone');
    const mb = (built.sizeBytes / 1024 / 1024).toFixed(1);
    let n = 0;
    const contender = (strategy) => ({
      name: `CREATE DATABASE … STRATEGY ${strategy}`,
      role: strategy === 'FILE_COPY' ? 'dbfast' : 'baseline',
      run: async () => {
        n += 1;
        const name = ctx.name(`${template.key}_${n}`);
        const set = strategy === 'FILE_COPY' && cloneFiles;
        if (set) await server.admin.query('SET file_copy_method = clone');
        await server.admin.query(
          `CREATE DATABASE ${lib.databaseIdent(name)} TEMPLATE ${lib.databaseIdent(built.name)} STRATEGY ${strategy}`,
        );
        if (set) await server.admin.query('RESET file_copy_method');
        return { name };
      },
      cleanup: (_state, result) =>
        result === undefined ? undefined : dropDatabase(lib, server.admin, result.name),
    });
    ctx.progress(`FILE_COPY vs WAL_LOG on the ${template.label} (${mb} MB)`);
    const measurements = await measure([contender('FILE_COPY'), contender('WAL_LOG')], {
      warmup: 1,
      iterations: ctx.iterations(15, 6),
    });
    ctx.report({
      scenario: 'strategy',
      case: `${template.label} (${mb} MB) · fsync=${server.info.fsync ? 'on' : 'off'}${cloneFiles ? ' · file_copy_method=clone' : ''}`,
      templateBytes: built.sizeBytes,
      measurements,
      comparisons: [compare('clone.file_copy_vs_wal_log', measurements[0], measurements[1])],
    });
  }
}
