import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProject, type Project } from '../../src/project.js';
import { withClient } from '../../src/server/connection.js';
import {
  BACKUP_URL,
  backupDatabasesLike,
  backupServer,
  dropOnBackupServer,
} from '../backup/backup-server.js';
import { uniqueName } from '../helpers/server.js';

export const SCHEMA = `CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customer(id), total numeric);
INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 300) g;
INSERT INTO orders (customer_id, total) SELECT 1 + g % 300, g FROM generate_series(1, 900) g;
`;

/**
 * A project whose templates AND remote `prod` live on the PostgreSQL 15 backup test server
 * (the installed pg_dump streams from it to itself). The remote's database is `live`.
 */
export interface DeployProject {
  dir: string;
  prefix: string;
  live: string;
  configPath: string;
  /** (Re)write dbfast.toml: `remote` lines go under [remotes.prod], `extra` at the end. */
  configure(remote?: string, extra?: string): Promise<Project>;
  sql(database: string, text: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export async function deployProject(files: Record<string, string> = {}): Promise<DeployProject> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-deploy-'));
  await chmod(dir, 0o755);
  const prefix = uniqueName('dp');
  const live = `${prefix}_live`;
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  await write('sql/0_schema/001_schema.sql', SCHEMA);
  for (const [path, text] of Object.entries(files)) await write(path, text);
  const configPath = join(dir, 'dbfast.toml');
  const remoteUrl = (user: string): string =>
    BACKUP_URL.replace(/\/\/[^@/]*@/, `//${user}@`).replace(/\/[^/]*$/, `/${live}`);
  return {
    dir,
    prefix,
    live,
    configPath,
    async configure(remote = '', extra = '') {
      const user = /^user = "(.*)"$/m.exec(remote)?.[1] ?? backupServer().user;
      await writeFile(
        configPath,
        `[database]\nurl = "${BACKUP_URL}"\ntemplate_name = "${prefix}"\n\n` +
          `[repository]\npath = "./sql"\n\n[backups]\ndir = "backups"\n\n[environments.staging]\n\n` +
          `[remotes.prod]\nurl = "${remoteUrl(user)}"\nenvironment = "staging"\n` +
          `${remote.replace(/^user = .*$/m, '')}\n${extra}\n`,
      );
      return openProject({ configPath, env: {} });
    },
    async sql(database, text) {
      return withClient(backupServer(), async (c) => (await c.query(text)).rows, { database });
    },
    async cleanup() {
      await dropOnBackupServer(...(await backupDatabasesLike(prefix)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
