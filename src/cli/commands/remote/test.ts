import { formatBytes } from '../../../duration.js';
import { testRemote } from '../../../remote/test.js';
import { action } from '../../context.js';
import { parseIntegerOption } from '../../parse.js';
import type { CommandGroup } from '../../root.js';

export function registerRemoteTest(remote: CommandGroup): void {
  remote
    .command('test')
    .description('connect to a remote and report version, latency, rights, size, TLS and pg_dump')
    .argument('<name>', 'remote name')
    .option('--timeout <seconds>', 'give up connecting after this many seconds', '10')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dbfast remote test prod\n  $ dbfast remote test prod --json',
    )
    .action(
      action(async (ctx, name, flags) => {
        const seconds = parseIntegerOption(flags.timeout, '--timeout', 1);
        const report = await testRemote(ctx.project(), name, { timeoutMs: seconds * 1000 });
        const { style } = ctx.output;
        const rights = [report.superuser ? 'superuser' : '', report.createdb ? 'createdb' : '']
          .filter((r) => r !== '')
          .join(', ');
        const lines = [
          `remote:    ${name} ${report.remote.url}`,
          `server:    PostgreSQL ${report.server.version}`,
          `latency:   ${report.latencyMs} ms round trip (connect ${report.connectMs} ms)`,
          `user:      ${report.currentUser}${rights === '' ? ' (no superuser, no createdb)' : ` (${rights})`}`,
          `database:  ${report.remote.database}, ${formatBytes(report.databaseSizeBytes)}`,
          `tls:       ${report.tls.enabled ? `yes, ${report.tls.version} ${report.tls.cipher}` : 'no'}`,
          report.pgDump.ok
            ? `pg_dump:   ${style.green(`${report.pgDump.version} can dump it`)} (${report.pgDump.path})`
            : `pg_dump:   ${style.red('cannot dump it')}: ${report.pgDump.problem}`,
        ];
        return { json: { ok: true, ...report }, text: lines.join('\n') };
      }),
    );
}
