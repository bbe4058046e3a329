import { collectGarbage } from '../../services/gc.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import { table } from '../output.js';
import { parseDurationOption, parseIntegerOption } from '../parse.js';
import type { Program } from '../root.js';

export function registerGc(program: Program): void {
  program
    .command('gc')
    .description('drop stale templates, expired clones, stale pool members and crashed builds')
    .option('--dry-run', 'only list what would be dropped')
    .option(
      '--keep <n>',
      'non-current templates to keep per environment (default [templates] keep, 1)',
    )
    .option(
      '--unused-for <duration>',
      'only drop non-current templates unused this long (default [templates] unused_for, 1d), and old snapshot states older than this',
    )
    .option('--older-than <duration>', 'the same as --unused-for (kept for 0.1.0 scripts)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
gc only ever touches databases dbfast made for this project: their label names the project
([project] name). Unlabelled databases and other projects' databases are never listed or
dropped. A template that is not current here may be current in another checkout, so it goes
only when it is beyond the newest --keep AND unused for --unused-for.
Of the states snapshot restores replaced, the newest per database is always kept; older
ones go (with --unused-for, once older than that). Saved snapshots are never gc'd.

Examples:
  $ dbfast gc --dry-run
  $ dbfast gc --keep 0 --yes
  $ dbfast gc --keep 0 --unused-for 0s --yes    everything not current here, now`,
    )
    .action(
      action(async (ctx, options) => {
        const unusedFor = options.unusedFor ?? options.olderThan;
        const flag = options.unusedFor === undefined ? '--older-than' : '--unused-for';
        const gcOptions = {
          ...(options.keep === undefined
            ? {}
            : { keep: parseIntegerOption(options.keep, '--keep', 0) }),
          ...(unusedFor === undefined ? {} : { unusedForMs: parseDurationOption(unusedFor, flag) }),
        };
        const project = ctx.project();
        if (options.dryRun !== true) {
          const preview = await collectGarbage(project, { ...gcOptions, dryRun: true });
          if (preview.dropped.length === 0)
            return { json: { ok: true, dryRun: false, dropped: [] }, text: 'nothing to collect' };
          await confirmDestructive({
            yes: options.yes === true,
            question: `Drop ${preview.dropped.length} database(s): ${preview.dropped.map((d) => d.name).join(', ')}?`,
          });
        }
        const result = await collectGarbage(project, {
          ...gcOptions,
          dryRun: options.dryRun === true,
        });
        const rows = result.dropped.map((d) => [d.name, d.kind, d.reason]);
        const head = result.dryRun ? 'would drop:' : 'dropped:';
        return {
          json: { ok: true, ...result },
          text:
            rows.length === 0
              ? 'nothing to collect'
              : `${head}\n${table(['name', 'kind', 'reason'], rows)}`,
        };
      }),
    );
}
