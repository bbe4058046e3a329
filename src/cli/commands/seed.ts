import { cloneDatabase } from '../../clone/clone-database.js';
import { formatDuration } from '../../duration.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { spawnPoolRefill } from '../refill.js';
import type { Program } from '../root.js';

export function registerSeed(program: Program): void {
  program
    .command('seed')
    .description('build the template if needed and create a seeded database from it')
    .option('-o, --output <name>', 'name of the database to create (default: a generated name)')
    .option('-e, --env <name>', 'environment')
    .option(
      '--force',
      'replace an existing clone of this project of that name (its data is lost); anything else is refused',
    )
    .addHelpText(
      'after',
      `
Prints the time of each step and the new database's URL.

Examples:
  $ dbfast seed --output demo
  $ dbfast seed --env test --output ci_db --force`,
    )
    .action(
      action(async (ctx, options) => {
        const project = ctx.project();
        const result = await withInterrupt((signal) =>
          cloneDatabase(project, {
            ...(options.output ? { name: options.output } : {}),
            ...(options.env ? { env: options.env } : {}),
            force: options.force === true,
            signal,
          }),
        );
        if (project.environment(result.env).poolSize > 0)
          await spawnPoolRefill(ctx.globals, result);
        const how =
          result.fromPool === undefined ? `cloned (${result.strategy})` : 'claimed from the pool';
        const lines = [
          `template  ${result.template}: ${result.templateBuilt ? 'built' : 'current'} in ${formatDuration(result.timings.templateMs)}`,
          `database  ${result.name}: ${how} in ${formatDuration(result.timings.createMs)}`,
          `total     ${formatDuration(result.timings.totalMs)}`,
          '',
          result.url,
        ];
        return { json: { ok: true, ...result }, text: lines.join('\n') };
      }),
    );
}
