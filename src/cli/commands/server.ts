import { serverState, startServer, stopServer } from '../../services/server-control.js';
import { action } from '../context.js';
import type { Program } from '../root.js';

export function registerServer(program: Program): void {
  const server = program
    .command('server')
    .description('start, stop and inspect the embedded PostgreSQL server')
    .addHelpText(
      'after',
      `
The embedded server keeps its data in .dbfast/server/ beside dbfast.toml and runs with
fsync=off: fast, not durable. It starts by itself on first use and keeps running.

Examples:
  $ dbfast server status
  $ psql "$(dbfast server url)"
  $ dbfast server stop`,
    );

  server
    .command('start')
    .description('start the embedded server (no-op if it runs)')
    .action(
      action(async (ctx) => {
        const state = await startServer(ctx.project());
        return {
          json: { ok: true, ...state },
          text: `running: PostgreSQL ${state.version} at ${state.url}`,
        };
      }),
    );

  server
    .command('stop')
    .description('stop the embedded server')
    .action(
      action(async (ctx) => {
        const result = await stopServer(ctx.project());
        return { json: { ok: true, ...result }, text: result.stopped ? 'stopped' : 'not running' };
      }),
    );

  server
    .command('status')
    .description('show whether the server runs, without starting it')
    .action(
      action(async (ctx) => {
        const state = await serverState(ctx.project());
        const text = state.running
          ? `${state.kind}: running, PostgreSQL ${state.version ?? '?'} at ${state.url}`
          : `${state.kind}: not running${state.dir ? ` (${state.dir})` : ''}`;
        return { json: { ok: true, ...state }, text };
      }),
    );

  server
    .command('url')
    .description('print the URL of the maintenance database (starting the embedded server)')
    .action(
      action(async (ctx) => {
        const state = await startServer(ctx.project());
        return { json: { ok: true, url: state.url }, text: state.url ?? '' };
      }),
    );
}
