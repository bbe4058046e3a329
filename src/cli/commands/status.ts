import { ExitCode } from '../../errors.js';
import { projectStatus, type StatusReport } from '../../services/status.js';
import { action } from '../context.js';
import { type Style, table } from '../output.js';
import type { Program } from '../root.js';

export function registerStatus(program: Program): void {
  program
    .command('status')
    .description('show the config file, server, repository and environments dbfast would use')
    .addHelpText(
      'after',
      `
Never starts the embedded server: a stopped one shows as "embedded, not running" (it starts
on first use). Exit code 1 when the configured server cannot be reached.

Examples:
  $ dbfast status
  $ dbfast status --json`,
    )
    .action(
      action(async (ctx) => {
        const status = await projectStatus(ctx.project());
        const { style } = ctx.output;
        const server = status.server;
        const lines = [
          `config:      ${status.config.path ?? `(none found; defaults, root ${status.config.rootDir})`}`,
          `server:      ${server.kind === 'embedded' ? 'embedded' : `external (${server.source})`} ${server.url ?? ''}`.trimEnd(),
          `             ${serverLine(server, style)}`,
          `repository:  ${status.repository.path}${status.repository.type === 'plain' ? '' : ` (${status.repository.type})`} (${status.repository.exists ? `${status.repository.files} files` : style.red('missing')})`,
          '',
          table(
            ['environment', 'files', ''],
            status.environments.map((env) => [env.name, env.files, env.default ? 'default' : '']),
          ),
        ];
        // A stopped embedded server is fine (it starts on first use); anything else that
        // does not answer is a failure.
        const ok = server.reachable || !server.running;
        return {
          json: { ok, ...status },
          text: lines.join('\n'),
          exitCode: ok ? ExitCode.ok : ExitCode.failure,
        };
      }),
    );
}

function serverLine(server: StatusReport['server'], style: Style): string {
  if (!server.running) {
    return style.yellow('embedded, not running (starts on first use; `dbfast server start`)');
  }
  if (server.reachable) return style.green(`reachable, PostgreSQL ${server.version}`);
  return style.red(`not reachable: ${server.error}`);
}
