import { templateStatus } from '../../../template/manage.js';
import { action } from '../../context.js';
import type { CommandGroup } from '../../root.js';

export function registerTemplateStatus(template: CommandGroup): void {
  template
    .command('status')
    .description('say whether the template is current, and why not')
    .option('-e, --env <name>', 'environment')
    .option('--why', 'list every reason (files added, removed, changed; config; server; ttl)')
    .action(
      action(async (ctx, options) => {
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
}
