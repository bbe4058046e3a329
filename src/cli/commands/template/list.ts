import { formatBytes, formatDuration } from '../../../duration.js';
import { listTemplates } from '../../../template/manage.js';
import { action } from '../../context.js';
import { table } from '../../output.js';
import type { CommandGroup } from '../../root.js';

export function registerTemplateList(template: CommandGroup): void {
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
}
