import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureCase } from './lib/case.js';
import { compare } from './lib/gates.js';
import { openHandle, writeProject } from './lib/projects.js';

/**
 * Watch latency: from saving a file to a ready template, with `dbfast watch`'s machinery
 * (chokidar, the debounce, the rebuild queue), on the example repository. Beside it, the
 * same rebuild called directly (ensureTemplate with force): the difference is what watching
 * adds (file-system notification plus the 150 ms debounce that lets editors finish writing).
 */
const EXAMPLE = fileURLToPath(new URL('../sql/', import.meta.url));

export async function run(ctx) {
  if (typeof ctx.lib.watchTemplate !== 'function') {
    ctx.unavailable('watch', 'watchTemplate is not exported by dist/index.js yet');
    return;
  }
  const dir = join(ctx.tmp, 'watch');
  const repository = join(dir, 'sql');
  await cp(EXAMPLE, repository, { recursive: true });
  const configPath = await writeProject(dir, { templateName: ctx.name('wt'), repository });
  const handle = await openHandle(ctx, configPath);
  const project = handle.project;
  const edited = join(repository, '2_seed_dev', '003_bench.sql');
  let waiting;
  const watcher = ctx.lib.watchTemplate(project, {
    onEvent: (event) => {
      if (waiting !== undefined && ['built', 'current', 'error'].includes(event.type)) {
        const settle = waiting;
        waiting = undefined;
        settle(event);
      }
    },
  });
  let revision = 0;
  // Every save is new content, so every save builds a new template.
  const save = () => {
    revision += 1;
    return writeFile(edited, `-- revision ${revision}\nSELECT ${revision};\n`);
  };
  try {
    await watcher.ready;
    const { measurements, comparisons, notes } = await measureCase(
      ctx,
      [
        {
          name: 'save -> template ready (watch)',
          role: 'dbfast',
          run: async () => {
            const done = new Promise((resolve) => {
              waiting = resolve;
            });
            await save();
            const event = await done;
            if (event.type === 'error') throw event.error;
            return { note: event.type };
          },
        },
        {
          name: 'rebuild called directly',
          run: async () => {
            await handle.ensureTemplate({ force: true });
          },
        },
      ],
      { warmup: 1, iterations: ctx.iterations(10, 3) },
      ([watch, direct]) => [compare('build.watch_latency', watch, direct)],
    );
    ctx.report({
      scenario: 'build',
      case: 'watch: save to ready template (example)',
      measurements,
      comparisons,
      notes,
    });
  } finally {
    await watcher.close();
    await handle.close();
  }
}
