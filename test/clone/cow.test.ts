import { chmod, mkdir, mkdtemp, readdir, rm, statfs, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { cloneDatabase } from '../../src/clone/clone-database.js';
import { createClone } from '../../src/clone/create-database.js';
import { openProject, type Project } from '../../src/project.js';
import { withClient } from '../../src/server/connection.js';
import { supportsReflink } from '../../src/server/embedded.js';
import { serverInfo } from '../../src/server/info.js';
import { stopServer } from '../../src/services/server-control.js';
import { optional } from '../helpers/requires.js';
import {
  createDatabase,
  dropDatabases,
  dropDatabasesLike,
  query,
  testServer,
  uniqueName,
} from '../helpers/server.js';

/**
 * Copy-on-write clones (PostgreSQL 18 `file_copy_method = clone` on a reflink file system).
 * The embedded server probes its data folder at start and defaults to the clone method only
 * where the file system clones copy-on-write; clones then say `file_copy+reflink`.
 */

const REFLINK_DIR = process.env.DBFAST_TEST_REFLINK_DIR ?? '';

/** ~40 MB of rows, big enough that a real copy would show on the file system's free space. */
const FILLER = `CREATE TABLE filler (id bigint PRIMARY KEY, pad text NOT NULL);
INSERT INTO filler SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 150000) AS g;
`;

interface EmbeddedProject {
  project: Project;
  serverDir: string;
  cleanup(): Promise<void>;
}

/**
 * A project on its own embedded server (no [database]: what a user without a server gets).
 * With `serverParent`, `.dbfast/server` is a symlink into it: the README's way of putting
 * the embedded server's data on another file system.
 */
async function embeddedProject(serverParent?: string): Promise<EmbeddedProject> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-cow-'));
  await chmod(dir, 0o755);
  let serverDir = join(dir, '.dbfast', 'server');
  let elsewhere: string | undefined;
  if (serverParent !== undefined) {
    elsewhere = await mkdtemp(join(serverParent, 'dbfast-cow-'));
    await chmod(elsewhere, 0o755);
    await mkdir(join(dir, '.dbfast'));
    await symlink(elsewhere, serverDir);
    serverDir = elsewhere;
  }
  await mkdir(join(dir, 'sql'));
  await writeFile(join(dir, 'sql', '001_filler.sql'), FILLER);
  await writeFile(
    join(dir, 'dbfast.toml'),
    '[database]\ntemplate_name = "cow"\n\n[repository]\npath = "./sql"\n',
  );
  const project = openProject({ configPath: join(dir, 'dbfast.toml'), env: {} });
  return {
    project,
    serverDir,
    cleanup: async () => {
      await stopServer(project);
      await rm(dir, { recursive: true, force: true });
      if (elsewhere !== undefined) await rm(elsewhere, { recursive: true, force: true });
    },
  };
}

async function serverFileCopyMethod(project: Project): Promise<string | undefined> {
  return (await project.withClient(serverInfo)).fileCopyMethod;
}

describe('clone method on a plain data folder', () => {
  let made: EmbeddedProject | undefined;
  afterAll(async () => {
    await made?.cleanup();
  });

  it('the embedded server clones and reports the method it used', async () => {
    made = await embeddedProject();
    const reflink = await supportsReflink(made.serverDir);
    const clone = await cloneDatabase(made.project, { name: 'cow_plain' });
    const rows = await made.project.withClient(
      async (client) => (await client.query('SELECT count(*)::int AS n FROM filler')).rows,
      clone.name,
    );
    expect(rows).toEqual([{ n: 150000 }]);
    // Data on ext4 or tmpfs (most machines' tmpdir): the server keeps the default copy
    // method, and dbfast sets the clone method for its FILE_COPY (an in-kernel copy there).
    // A tmpdir on btrfs/XFS with reflink/APFS is a reflink folder, and says so.
    expect(await serverFileCopyMethod(made.project)).toBe(reflink ? 'clone' : 'copy');
    expect(clone.strategy).toBe(reflink ? 'file_copy+reflink' : 'file_copy+clone');
  });
});

// Servers below 18 reject `SET file_copy_method` as PG18 builds without clone support (no
// copy_file_range/copyfile) do; on the PostgreSQL 18 test server nothing refuses it.
const noRefusingServer = optional(
  'the clone-method fallback test',
  inject('testServerMajor') >= 18 ? 'the test server accepts the clone method' : undefined,
  "DBFAST_TEST_DATABASE_URL=a server below PostgreSQL 18, as CI's second pass on PostgreSQL 15",
);

describe.skipIf(noRefusingServer)('a server that refuses the clone method', () => {
  const names: string[] = [];
  afterAll(async () => {
    await dropDatabases(...names);
  });

  it('still clones, with a plain file copy, and says why', async () => {
    // Told "18", dbfast tries the clone method, falls back to a copy, and notes why.
    const template = await createDatabase();
    names.push(template);
    await query(template, 'CREATE TABLE a AS SELECT 1 AS x');
    const project = uniqueName('cowp');
    const name = uniqueName('cowc');
    names.push(name);
    const created = await withClient(testServer(), (client) =>
      createClone(client, {
        name,
        project,
        template,
        env: 'local',
        serverMajor: 18,
        templateBytes: 1,
        strategy: 'file_copy',
      }),
    );
    expect(created.strategy).toMatch(/^file_copy \(clone method failed: .*file_copy_method/);
    expect(await query(name, 'SELECT x FROM a')).toEqual([{ x: 1 }]);
    await dropDatabasesLike(workPrefix(project));
  });
});

// Not required in CI either: most machines have no reflink file system (README, Development).
const reflinkMissing = optional(
  'copy-on-write clones',
  REFLINK_DIR === '' ? 'DBFAST_TEST_REFLINK_DIR is not set' : undefined,
  'set it to a folder on XFS with reflink, btrfs or APFS',
);

describe.skipIf(reflinkMissing)('copy-on-write clones on a reflink folder', () => {
  let made: EmbeddedProject | undefined;
  afterAll(async () => {
    await made?.cleanup();
  });

  it('the embedded server there defaults to the clone method, and clones share blocks', async () => {
    if (!(await supportsReflink(REFLINK_DIR))) {
      throw new Error(
        `DBFAST_TEST_REFLINK_DIR=${REFLINK_DIR} cannot clone files copy-on-write (not XFS with reflink, btrfs or APFS)`,
      );
    }
    made = await embeddedProject(REFLINK_DIR);
    const built = await cloneDatabase(made.project, { name: 'cow_first' });
    expect(built.strategy).toBe('file_copy+reflink');
    expect(await serverFileCopyMethod(made.project)).toBe('clone');
    // The server left nothing of the probe behind in its data folder.
    expect(
      (await readdir(join(made.serverDir, 'data'))).filter((f) => f.includes('probe')),
    ).toEqual([]);
    const sizeBytes = await made.project.withClient(async (client) => {
      await client.query('CHECKPOINT');
      const { rows } = await client.query<{ size: string }>(
        "SELECT pg_database_size('cow_first') AS size",
      );
      return Number(rows[0]?.size);
    });
    const free = async () => {
      const info = await statfs(made?.serverDir ?? REFLINK_DIR);
      return info.bavail * info.bsize;
    };
    const before = await free();
    const clone = await cloneDatabase(made.project, { name: 'cow_second' });
    const used = before - (await free());
    expect(clone.strategy).toBe('file_copy+reflink');
    // A copy would take the whole template again; a reflink takes metadata only.
    expect(used).toBeLessThan(sizeBytes / 4);
    const rows = await made.project.withClient(
      async (client) => (await client.query('SELECT count(*)::int AS n FROM filler')).rows,
      clone.name,
    );
    expect(rows).toEqual([{ n: 150000 }]);
  });
});
