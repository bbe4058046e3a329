import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectionUrl, parseConnectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
    testServerKind: 'embedded' | 'external';
  }
}

/**
 * The test server: DBFAST_TEST_DATABASE_URL when set, else an embedded PostgreSQL started
 * once for the whole run in a temporary folder and removed afterwards. Fails loudly when the
 * server cannot be reached: no test may pass without a database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DBFAST_TEST_DATABASE_URL;
  if (external !== undefined && external !== '') {
    const params = parseConnectionUrl(external, 'DBFAST_TEST_DATABASE_URL');
    await withClient(params, (client) => client.query('SELECT 1'));
    project.provide('testDatabaseUrl', external);
    project.provide('testServerKind', 'external');
    return async () => undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-test-server-'));
  // The server may run as another OS user (when tests run as root): let it in.
  await chmod(dir, 0o755);
  const serverDir = join(dir, 'server');
  const options = { osUser: 'postgres' };
  const params = await ensureEmbeddedServer(serverDir, options);
  project.provide('testDatabaseUrl', connectionUrl(params));
  project.provide('testServerKind', 'embedded');
  return async () => {
    await stopEmbeddedServer(serverDir, options);
    await rm(dir, { recursive: true, force: true });
  };
}
