import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionParams } from '../../src/config/types.js';
import { withClient } from '../../src/server/connection.js';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded.js';

export interface PasswordServer {
  /** Connection params WITH the right password. */
  params: ConnectionParams;
  password: string;
  stop(): Promise<void>;
}

/**
 * A second, private embedded server that requires a password (scram-sha-256), for the
 * tests of wrong passwords and of password redaction. Costs a few seconds to start:
 * global-setup.ts starts it once per run (see passwordServer()).
 */
export async function startPasswordServer(password = 'S3cr3t-pw-9f8e7d'): Promise<PasswordServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-pw-server-'));
  await chmod(dir, 0o755);
  const serverDir = join(dir, 'server');
  const options = { osUser: 'postgres' };
  const trusted = await ensureEmbeddedServer(serverDir, options);
  await withClient(trusted, (client) =>
    client.query(`ALTER ROLE postgres PASSWORD '${password.replaceAll("'", "''")}'`),
  );
  const hba = join(serverDir, 'data', 'pg_hba.conf');
  const text = await readFile(hba, 'utf8');
  await writeFile(hba, text.replace(/^(host\s+all\s+all\s+\S+\s+)trust\s*$/gm, '$1scram-sha-256'));
  await withClient({ ...trusted, password }, (client) => client.query('SELECT pg_reload_conf()'));
  return {
    params: { ...trusted, password },
    password,
    stop: async () => {
      await stopEmbeddedServer(serverDir, options);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
