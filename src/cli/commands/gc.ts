import type { Command } from 'commander';
import { collectGarbage } from '../../index.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import { table } from '../output.js';
import { parseDurationOption, parseIntegerOption } from '../parse.js';

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description('drop stale templates, expired clones, stale pool members and crashed builds')
    .option('--dry-run', 'only list what would be dropped')
    .option('--keep <n>', 'stale templates to keep per environment (default 1)')
    .option(
      '--older-than <duration>',
      'only drop stale templates (and old snapshot states) older than this (e.g. 7d)',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
gc only ever touches databases dbfast made for this project (they carry a dbfast label).
Of the states snapshot restores replaced, the newest per database is always kept; older
ones go (with --older-than, once older than that). Saved snapshots are never gc'd.

Examples:
  $ dbfast gc --dry-run
  $ dbfast gc --keep 0 --yes
  $ dbfast gc --older-than 7d --yes`,
    )
    .action(
      action(
        async (
          ctx,
          options: { dryRun?: boolean; keep?: string; olderThan?: string; yes?: boolean },
        ) => {
          const gcOptions = {
            ...(options.keep === undefined
              ? {}
              : { keep: parseIntegerOption(options.keep, '--keep', 0) }),
            ...(options.olderThan === undefined
              ? {}
              : { olderThanMs: parseDurationOption(options.olderThan, '--older-than') }),
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
        },
      ),
    );
}
