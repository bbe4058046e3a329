import { type CloneResult, cloneDatabase } from '../../clone/clone-database.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { parseDurationOption } from '../parse.js';
import { spawnPoolRefill } from '../refill.js';
import type { Program } from '../root.js';

export function registerClone(program: Program): void {
  program
    .command('clone')
    .description('create a fresh database from the current template (building it first if stale)')
    .argument('<name>', 'name of the new database')
    .option('-e, --env <name>', 'environment')
    .option('-t, --template <name>', "clone this template instead of the environment's current one")
    .option(
      '--force',
      'replace an existing clone of this project of that name (its data is lost); anything else is refused',
    )
    .option('--owner <role>', 'owner of the new database')
    .option('--no-build', 'fail instead of building when the template is missing or stale')
    .option('--ttl <duration>', 'let `dbfast gc` drop it after this long (e.g. 2h, 7d)')
    .addHelpText(
      'after',
      `
Prints the new database's URL (no password). With --json: name, url, template, strategy, timings.
--force replaces only a clone this project made; a database dbfast did not make, a template, a
pool member or another project's database is refused (exit code 2), so a typo costs nothing.

Examples:
  $ dbfast clone test_db
  $ export DATABASE_URL=$(dbfast clone test_db --force)
  $ dbfast clone scratch --env test --ttl 2h --json`,
    )
    .action(
      action(async (ctx, name, options) => {
        const project = ctx.project();
        const result = await withInterrupt((signal) =>
          cloneDatabase(project, {
            signal,
            name,
            ...(options.env ? { env: options.env } : {}),
            ...(options.template ? { template: options.template } : {}),
            ...(options.owner ? { owner: options.owner } : {}),
            ...(options.ttl ? { ttlMs: parseDurationOption(options.ttl, '--ttl') } : {}),
            force: options.force === true,
            build: options.build !== false,
          }),
        );
        // started: this clone spawned the refill; running: one was at work already.
        const refill =
          project.environment(result.env).poolSize > 0 && options.template === undefined
            ? await spawnPoolRefill(ctx.globals, result)
            : undefined;
        ctx.output.reporter().verbose?.(describeTimings(result));
        return { json: { ok: true, ...result, refill }, text: result.url };
      }),
    );
}

export function describeTimings(result: CloneResult): string {
  const how =
    result.fromPool === undefined
      ? `CREATE DATABASE (${result.strategy})`
      : `pool claim of ${result.fromPool}`;
  return `template ${result.template}${result.templateBuilt ? ' (built)' : ''}: ${result.timings.templateMs.toFixed(0)} ms; ${how}: ${result.timings.createMs.toFixed(0)} ms; total ${result.timings.totalMs.toFixed(0)} ms`;
}
