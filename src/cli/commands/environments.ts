import { listEnvironments } from '../../services/environments.js';
import { action } from '../context.js';
import { table } from '../output.js';
import type { Program } from '../root.js';

export function registerEnvironments(program: Program): void {
  program
    .command('environments')
    .description('list the environments: files selected, directories included and excluded')
    .addHelpText(
      'after',
      `
The default environment (used when a command gets no --env) is marked "default".

Examples:
  $ dbfast environments
  $ dbfast environments --json`,
    )
    .action(
      action(async (ctx) => {
        const environments = await listEnvironments(ctx.project());
        const list = (items: string[]): string => (items.length === 0 ? '-' : items.join(', '));
        const text = table(
          ['environment', 'files', 'include', 'exclude', ''],
          environments.map((env) => [
            env.name,
            env.files,
            list([...env.includeDirectories, ...env.includeFiles]),
            list([...env.excludeDirectories, ...env.excludeFiles]),
            env.default ? 'default' : '',
          ]),
        );
        return { json: { ok: true, environments }, text };
      }),
    );
}
