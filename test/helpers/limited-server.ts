import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionParams } from '../../src/config/types.js';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded.js';

export interface PrivateServer {
  params: ConnectionParams;
  stop(): Promise<void>;
}

/**
 * A private embedded server with extra postgresql.conf lines (e.g. `max_connections = 20`),
 * for tests that need server settings the shared test server must not have. Costs a couple
 * of seconds to start (initdb, start, restart with the settings).
 */
export async function startPrivateServer(settings: string[]): Promise<PrivateServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-private-server-'));
  await chmod(dir, 0o755);
  const serverDir = join(dir, 'server');
  const options = { osUser: 'postgres' };
  await ensureEmbeddedServer(serverDir, options);
  await appendFile(join(serverDir, 'data', 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  await stopEmbeddedServer(serverDir, options);
  const params = await ensureEmbeddedServer(serverDir, options);
  return {
    params,
    stop: async () => {
      await stopEmbeddedServer(serverDir, options);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
