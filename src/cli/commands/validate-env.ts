import { type EnvironmentValidation, validateEnvironment } from '../../presets/validate.js';
import { assertEnvironmentValid } from '../../sql/environments.js';
import { action } from '../context.js';
import type { Program } from '../root.js';

export function registerValidateEnv(program: Program): void {
  program
    .command('validate-env')
    .description("check an environment's selection against the repository")
    .argument('<env>', 'environment to check')
    .addHelpText(
      'after',
      `
Errors (exit code 1): an include/exclude directory that does not exist, a directory both
included and excluded, an environment that selects no files.
Warnings (exit code 0): include_files/exclude_files globs that match nothing, files that no
environment selects, files that look like SQL (*.sql.*, *.psql, *.pgsql) but whose ending is
not in [repository] extensions, a production-like environment (prod, production, live)
selecting seed directories. An unknown environment exits with 2.

With [repository] type = "<tool>": lists each migration the preset runs, in order, with
the rule that selected it and its mode, the files it left out and why, the seed files run
after the migrations, and the bookkeeping SQL (the tool's own table) run at the end.

Examples:
  $ dbfast validate-env local
  $ dbfast validate-env production --json`,
    )
    .action(
      action(async (ctx, name) => {
        const validation = await validateEnvironment(ctx.project(), name);
        assertEnvironmentValid(validation);
        const { style } = ctx.output;
        const lines = [
          style.green(`${validation.env}: ok, ${validation.files.length} files`),
          ...presetLines(validation.preset),
          ...validation.warnings.map((warning) => style.yellow(`warning: ${warning}`)),
        ];
        return { json: validation, text: lines.join('\n') };
      }),
    );
}

/** validate-env's account of a preset: what runs, in which order and mode, and why. */
function presetLines(preset: EnvironmentValidation['preset']): string[] {
  if (preset === undefined) return [];
  return [
    `[repository] type = "${preset.type}": ${preset.migrations.length} migrations, run as ${preset.tool} runs them`,
    ...preset.migrations.map(
      (m, i) =>
        `  ${i + 1}. ${m.path}: ${m.why}${m.noTransaction === undefined ? '' : `; outside a transaction (${m.noTransaction})`}`,
    ),
    ...preset.skipped.map((s) => `  left out: ${s.path} (${s.reason})`),
    ...(preset.seeds.length === 0 ? [] : [`then seed files: ${preset.seeds.join(', ')}`]),
    preset.bookkeeping.length === 0
      ? `${preset.tool}'s own bookkeeping is not written: ${preset.tool} would run the migrations again on a clone`
      : `then ${preset.tool}'s bookkeeping (${preset.bookkeeping.length} statements), starting: ${preset.bookkeeping[0]}`,
  ];
}
