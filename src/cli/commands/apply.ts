import { formatDuration } from '../../duration.js';
import { applyRepository } from '../../presets/apply.js';
import { validateDatabaseName } from '../../server/identifiers.js';
import type { ApplySummary } from '../../sql/executor.js';
import { action } from '../context.js';
import { table } from '../output.js';
import type { Program } from '../root.js';

export function registerApply(program: Program): void {
  program
    .command('apply')
    .description("run an environment's files into an existing database (no template involved)")
    .requiredOption('-d, --db <name>', 'the database to run the files in (it must exist)')
    .option('-e, --env <name>', 'environment (default: local, else the first one)')
    .addHelpText(
      'after',
      `
Runs the files in order, each in its own transaction, and stops at the first error, which it
prints as file:line:col with the lines around it (exit code 1). With -v, one line per file.

Examples:
  $ dbfast apply --db scratch
  $ dbfast -v apply --db scratch --env test
  $ dbfast apply --db scratch --json`,
    )
    .action(
      action(async (ctx, options) => {
        validateDatabaseName(options.db);
        const project = ctx.project();
        const env = project.environment(options.env).name;
        const summary = await applyRepository(project, { database: options.db, env });
        const lines = ctx.output.verbose ? [fileTable(summary), ''] : [];
        lines.push(
          `applied ${count(summary.files.length, 'file')} of ${env} to ${summary.database}: ` +
            `${count(summary.statements, 'statement')}, ${count(summary.rows, 'row')} in ${formatDuration(summary.durationMs)}`,
        );
        return { json: { ok: true, env, ...summary }, text: lines.join('\n') };
      }),
    );
}

function fileTable(summary: ApplySummary): string {
  return table(
    ['file', 'mode', 'statements', 'rows', 'time'],
    summary.files.map((file) => [
      file.path,
      file.mode,
      file.statements,
      file.rows,
      formatDuration(file.durationMs),
    ]),
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
