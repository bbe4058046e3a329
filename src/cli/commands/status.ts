import type { Command } from 'commander';
import { projectStatus } from '../../index.js';
import { action } from '../context.js';
import { table } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the config file, server, repository and environments dbfast would use')
    .addHelpText('after', '\nExamples:\n  $ dbfast status\n  $ dbfast status --json')
    .action(
      action(async (ctx) => {
        const status = await projectStatus(ctx.project());
        const { style } = ctx.output;
        const server = status.server;
        const lines = [
          `config:      ${status.config.path ?? `(none found; defaults, root ${status.config.rootDir})`}`,
          `server:      ${server.kind === 'embedded' ? 'embedded' : `external (${server.source})`} ${server.url ?? ''}`.trimEnd(),
          `             ${server.reachable ? style.green(`reachable, PostgreSQL ${server.version}`) : style.red(`not reachable: ${server.error}`)}`,
          `repository:  ${status.repository.path}${status.repository.type === 'plain' ? '' : ` (${status.repository.type})`} (${status.repository.exists ? `${status.repository.files} files` : style.red('missing')})`,
          '',
          table(
            ['environment', 'files', ''],
            status.environments.map((env) => [env.name, env.files, env.default ? 'default' : '']),
          ),
        ];
        return { json: { ok: server.reachable, ...status }, text: lines.join('\n') };
      }),
    );
}
