import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectionUrl, parseConnectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded.js';
import { serverInfo } from '../../src/server/info.js';
import { backupServer } from './backup-server.js';
import { startPasswordServer } from './password-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
    testServerKind: 'embedded' | 'external';
    /** Major version of the test server. */
    testServerMajor: number;
    /** A server the installed pg_dump can dump, or '' (then backupMissing says why). */
    backupDatabaseUrl: string;
    backupMissing: string;
    /** The newest installed pg_dump's major version, 0 when there is none. */
    pgDumpMajor: number;
    /** A private embedded server that requires a password (see password-server.ts). */
    passwordServerUrl: string;
    passwordServerPassword: string;
  }
}

/**
 * The servers of a test run, started once: the test server (DBFAST_TEST_DATABASE_URL when
 * set, else an embedded PostgreSQL in a temporary folder), the server backups run against
 * (DBFAST_TEST_BACKUP_URL, else the test server when the installed pg_dump can dump it) and a
 * password-protected embedded server. Fails loudly when a server it was given cannot be
 * reached: no test may pass without a database. Reaches no server it was not given.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const external = process.env.DBFAST_TEST_DATABASE_URL;
    let testUrl: string;
    if (external !== undefined && external !== '') {
      testUrl = external;
      project.provide('testServerKind', 'external');
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'dbfast-test-server-'));
      // The server may run as another OS user (when tests run as root): let it in.
      await chmod(dir, 0o755);
      const serverDir = join(dir, 'server');
      const options = { osUser: 'postgres' };
      stops.push(async () => {
        await stopEmbeddedServer(serverDir, options);
        await rm(dir, { recursive: true, force: true });
      });
      testUrl = connectionUrl(await ensureEmbeddedServer(serverDir, options));
      project.provide('testServerKind', 'embedded');
    }
    const info = await withClient(
      parseConnectionUrl(testUrl, 'DBFAST_TEST_DATABASE_URL'),
      serverInfo,
    );
    project.provide('testDatabaseUrl', testUrl);
    project.provide('testServerMajor', info.major);

    const backup = await backupServer(testUrl, process.env.DBFAST_TEST_BACKUP_URL);
    project.provide('backupDatabaseUrl', backup.url ?? '');
    project.provide('backupMissing', backup.missing ?? '');
    project.provide('pgDumpMajor', backup.pgDumpMajor);

    const pw = await startPasswordServer();
    stops.push(pw.stop);
    project.provide('passwordServerUrl', connectionUrl(pw.params));
    project.provide('passwordServerPassword', pw.password);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
