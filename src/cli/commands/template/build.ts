import { formatBytes, formatDuration } from '../../../duration.js';
import { ensureTemplate } from '../../../template/ensure.js';
import { action } from '../../context.js';
import { withInterrupt } from '../../interrupt.js';
import type { CommandGroup } from '../../root.js';

export function registerTemplateBuild(template: CommandGroup): void {
  template
    .command('build')
    .description('build the template of an environment when it is missing or stale')
    .option('-e, --env <name>', 'environment (default: local, else the first one)')
    .option('--force', 'rebuild even when the template is current')
    .action(
      action(async (ctx, options) => {
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
}
