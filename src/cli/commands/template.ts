import type { Command } from 'commander';
import { formatBytes, formatDuration } from '../../duration.js';
import { usageError } from '../../errors.js';
import { ensureTemplate, templateStatus } from '../../index.js';
import { dropTemplates, listTemplates } from '../../template/manage.js';
import { confirmDestructive } from '../confirm.js';
import { action } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { table } from '../output.js';

export function registerTemplate(program: Command): void {
  const template = program
    .command('template')
    .description('build, inspect and drop template databases')
    .addHelpText(
      'after',
      `
Examples:
  $ dbfast template build                 build the default environment's template if stale
  $ dbfast template build --env test --force
  $ dbfast template status --why          is it current? if not, exactly what changed
  $ dbfast template list
  $ dbfast template drop --stale --yes`,
    );

  template
    .command('build')
    .description('build the template of an environment when it is missing or stale')
    .option('-e, --env <name>', 'environment (default: local, else the first one)')
    .option('--force', 'rebuild even when the template is current')
    .action(
      action(async (ctx, options: { env?: string; force?: boolean }) => {
        const result = await withInterrupt((signal) =>
          ensureTemplate(ctx.project(), {
            ...(options.env ? { env: options.env } : {}),
            force: options.force === true,
            signal,
          }),
        );
        const text = result.built
          ? `built ${result.name} in ${formatDuration(result.buildMs)} (${formatBytes(result.sizeBytes)})\n${result.reasons.map((r) => `  ${r}`).join('\n')}`
          : `${result.name} is current (built ${result.createdAt})`;
        return { json: { ok: true, ...result }, text };
      }),
    );

  template
    .command('status')
    .description('say whether the template is current, and why not')
    .option('-e, --env <name>', 'environment')
    .option('--why', 'list every reason (files added, removed, changed; config; server; ttl)')
    .action(
      action(async (ctx, options: { env?: string; why?: boolean }) => {
        const status = await templateStatus(ctx.project(), options.env ? { env: options.env } : {});
        const { style } = ctx.output;
        const head = status.current
          ? style.green(`current: ${status.name}`)
          : style.yellow(`stale: the current template would be ${status.name}`);
        const reasons = options.why === true ? status.reasons : status.reasons.slice(0, 5);
        const more =
          status.reasons.length > reasons.length
            ? [`  … and ${status.reasons.length - reasons.length} more (--why lists all)`]
            : [];
        const latest =
          status.latest === undefined || status.current
            ? []
            : [`newest existing: ${status.latest.name} (built ${status.latest.createdAt})`];
        return {
          json: { ok: true, ...status },
          text: [head, ...latest, ...reasons.map((r) => `  ${r}`), ...more].join('\n'),
        };
      }),
    );

  template
    .command('list')
    .description('list the templates of this project (environment, age, size, current or stale)')
    .action(
      action(async (ctx) => {
        const templates = await listTemplates(ctx.project());
        const rows = templates.map((t) => [
          t.name,
          t.env,
          formatDuration(t.ageMs),
          t.sizeBytes === undefined ? '?' : formatBytes(t.sizeBytes),
          t.current ? 'current' : 'stale',
        ]);
        return {
          json: { ok: true, templates },
          text:
            templates.length === 0
              ? 'no templates'
              : table(['name', 'env', 'age', 'size', 'state'], rows),
        };
      }),
    );

  template
    .command('drop')
    .description('drop templates of this project by name, or the ones retention lets go')
    .argument('[names...]', 'template database names')
    .option(
      '--stale',
      'drop templates not current here, beyond the newest [templates] keep and unused for [templates] unused_for',
    )
    .option('--dry-run', 'only list what would be dropped')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `
A template that is not current in this checkout may be current in another one (a worktree,
a CI runner on the same server): --stale only drops it once it is also unused for a while.

Examples:
  $ dbfast template drop --stale --dry-run
  $ dbfast template drop --stale --yes`,
    )
    .action(
      action(
        async (
          ctx,
          names: string[],
          options: { stale?: boolean; yes?: boolean; dryRun?: boolean },
        ) => {
          if (names.length === 0 && options.stale !== true) {
            throw usageError(
              'usage',
              'Name the templates to drop, or pass --stale.',
              'See `dbfast template list`.',
            );
          }
          const which = options.stale ? { stale: true } : { names };
          const dryRun = options.dryRun === true;
          if (!dryRun) {
            const doomed = await dropTemplates(ctx.project(), { ...which, dryRun: true });
            if (doomed.length === 0)
              return { json: { ok: true, dryRun, dropped: [] }, text: 'nothing to drop' };
            await confirmDestructive({
              yes: options.yes === true,
              question: `Drop ${doomed.join(', ')}?`,
            });
          }
          const dropped = await dropTemplates(ctx.project(), { ...which, dryRun });
          const verb = dryRun ? 'would drop' : 'dropped';
          return {
            json: { ok: true, dryRun, dropped },
            text: dropped.length === 0 ? 'nothing to drop' : `${verb} ${dropped.join(', ')}`,
          };
        },
      ),
    );
}
