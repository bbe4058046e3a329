import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listBackups } from '../../src/backup/list.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { createBackup } from '../../src/backup/take-backup.js';
import { verifyAllBackups, verifyBackup } from '../../src/backup/verify.js';
import type { ConnectionParams } from '../../src/config/types.js';
import { connectionUrl } from '../../src/config/url.js';
import { DbfastError } from '../../src/errors.js';
import { openProject } from '../../src/project.js';
import { withClient } from '../../src/server/connection.js';
import { serverInfo } from '../../src/server/info.js';
import { failure } from '../helpers/failure.js';
import {
  createDatabase,
  dropDatabases,
  passwordServer,
  testServer,
  testServerUrl,
  uniqueName,
} from '../helpers/server.js';
import {
  backupDatabasesLike,
  backupProject,
  createSampleDatabase,
  dropOnBackupServer,
  skipBackups,
  snapshot,
} from './backup-server.js';

/** Every file under a folder, concatenated: to prove a secret is nowhere in a backup. */
async function allText(dir: string): Promise<string> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name), 'latin1'));
  }
  return out.join('\n');
}

describe.skipIf(skipBackups)('backups (on the backup server)', () => {
  let source: string;
  beforeAll(async () => {
    source = await createSampleDatabase();
  });
  afterAll(async () => {
    await dropOnBackupServer(...(await backupDatabasesLike(source)));
  });

  it('round trip: backup --remote, restore --to a new database; schema and rows equal', async () => {
    const secret = 'Rt-secret-never-shown-77';
    const temp = await backupProject(source, 'password_env = "RT_PW"\n', { RT_PW: secret });
    try {
      const result = await createBackup(temp.project, { remote: 'prod', label: 'round trip' });
      expect(result.id).toMatch(/^remote\/prod\/\d{8}T\d{6}Z$/);
      const m = result.manifest;
      expect(m).toMatchObject({
        database: source,
        format: 'custom',
        label: 'round trip',
      });
      // Relations, not this machine's numbers: pg_dump is at least as new as the server.
      expect(m.pgDump.major).toBeGreaterThanOrEqual(m.server.major);
      expect(m.entries).toBeGreaterThan(5);
      expect(m.files).toEqual([{ path: 'dump', bytes: m.bytes, sha256: expect.any(String) }]);
      // Nothing looks half-written and no password is anywhere in the backup folder.
      expect(await readdir(join(temp.dir, '.dbfast/backups/remote/prod'))).toEqual([
        result.id.split('/')[2],
      ]);
      expect(await allText(result.dir)).not.toContain(secret);
      expect(JSON.stringify(result)).not.toContain(secret);
      const [listed] = await listBackups(temp.project);
      expect(listed).toMatchObject({ id: result.id, verified: 'yes', database: source });

      const copy = `${source}_copy`;
      const restored = await restoreBackup(temp.project, { id: 'prod/latest', to: copy });
      expect(restored).toMatchObject({ database: copy, previous: undefined });
      expect(await snapshot(copy)).toEqual(await snapshot(source));
    } finally {
      await temp.cleanup();
    }
  });

  it('directory format with parallel jobs and gzip, verified', async () => {
    const temp = await backupProject(source);
    try {
      const result = await createBackup(temp.project, {
        db: source,
        format: 'directory',
        jobs: 2,
        compress: 'gzip:1',
      });
      expect(result.id.startsWith(`db/${source}/`)).toBe(true);
      expect(result.manifest.files.map((f) => f.path)).toContain('dump/toc.dat');
      expect(result.manifest.compression).toBe('gzip:1');
      const [verified] = await verifyAllBackups(temp.project);
      expect(verified).toMatchObject({ ok: true, entries: result.manifest.entries });
    } finally {
      await temp.cleanup();
    }
  });

  it('verify catches a flipped byte and names the file', async () => {
    const temp = await backupProject(source);
    try {
      const { id, dir } = await createBackup(temp.project, { remote: 'prod' });
      const path = join(dir, 'dump');
      const bytes = await readFile(path);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await writeFile(path, bytes);
      const result = await verifyBackup(temp.project, id);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatch(/^dump: checksum mismatch/);
      const recorded = JSON.parse(await readFile(join(dir, 'verified.json'), 'utf8'));
      expect(recorded).toMatchObject({ ok: false, by: 'verify' });
      expect((await listBackups(temp.project))[0]?.verified).toBe('failed');
      // A manifest pointing outside its folder is not a manifest.
      const manifestPath = join(dir, 'manifest.json');
      const original = await readFile(manifestPath, 'utf8');
      const crafted = JSON.parse(original);
      crafted.files[0].path = 'dump/../../../etc/passwd';
      await writeFile(manifestPath, JSON.stringify(crafted));
      expect((await listBackups(temp.project))[0]?.problem).toContain('not a dbfast backup');
      await writeFile(manifestPath, original);
      // A damaged backup is never restored.
      const error = await failure(restoreBackup(temp.project, { id, to: `${source}_never` }));
      expect(error.code).toBe('restore.corrupt');
      expect(error.message).toContain('dump: checksum mismatch');
    } finally {
      await temp.cleanup();
    }
  });

  it('lz4 needs pg_dump 16: refused (naming it, leaving no folder) by an older one', async () => {
    const temp = await backupProject(source);
    try {
      const result = await createBackup(temp.project, { remote: 'prod', compress: 'lz4' }).then(
        (ok) => ({ ok, error: undefined }),
        (error: unknown) => ({ ok: undefined, error }),
      );
      if (inject('pgDumpMajor') < 16) {
        const error = result.error as DbfastError;
        expect(error.code).toBe('pgtool.too_old');
        expect(error.message).toContain('write lz4 compression (needs pg_dump 16 or newer)');
        expect(error.hint).toContain('postgresql-client-16');
        expect(existsSync(join(temp.dir, '.dbfast/backups/prod'))).toBe(false);
      } else {
        expect(result.error).toBeUndefined();
        expect(result.ok?.manifest).toMatchObject({ compression: 'lz4' });
        expect(result.ok?.manifest.pgDump.major).toBeGreaterThanOrEqual(16);
      }
    } finally {
      await temp.cleanup();
    }
  });

  it('refuses --jobs with the custom format, and a source that is not exactly one', async () => {
    const temp = await backupProject(source);
    try {
      const jobs = await failure(createBackup(temp.project, { remote: 'prod', jobs: 2 }));
      expect(jobs).toMatchObject({ code: 'backup.jobs_format', exitCode: 2 });
      const none = await failure(createBackup(temp.project, {}));
      expect(none).toMatchObject({ code: 'backup.source', exitCode: 2 });
      const unknown = await failure(createBackup(temp.project, { remote: 'nope' }));
      expect(unknown.hint).toContain('Known remotes: prod');
    } finally {
      await temp.cleanup();
    }
  });
});

/**
 * Backing up a server through a URL with a password, and through --db: refused with the
 * version message when the installed pg_dump is older than the server (pg_dump 15 and the
 * embedded PostgreSQL 18 here), else a verified backup. Never shows the password.
 */
describe('a backup of the password server and of the test server', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  async function backupOrRefusal(
    params: ConnectionParams,
    configText: string,
    env: Record<string, string>,
    options: Parameters<typeof createBackup>[1],
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'dbfast-backup-pw-'));
    dirs.push(dir);
    const project = openProject({ configText, env, cwd: dir });
    const server = await withClient(params, serverInfo);
    const result = await createBackup(project, options).then(
      (ok) => ({ ok, error: undefined }),
      (error: unknown) => ({ ok: undefined, error }),
    );
    return { server, ...result };
  }

  it('with a password: refused by an older pg_dump with the version message, else backed up', async () => {
    const pw = passwordServer();
    const url = connectionUrl(pw.params);
    const { server, ok, error } = await backupOrRefusal(
      pw.params,
      `[remotes.new]\nurl = "${url}"\npassword_env = "NEW_PW"\n`,
      { NEW_PW: pw.password },
      { remote: 'new' },
    );
    if (inject('pgDumpMajor') < server.major) {
      expect(error).toBeInstanceOf(DbfastError);
      const e = error as DbfastError;
      expect(e.code).toBe('pgtool.too_old');
      expect(e.message).toMatch(
        new RegExp(
          `pg_dump \\d+\\.\\d+ cannot dump PostgreSQL ${server.version.replaceAll('.', '\\.')} at 127\\.0\\.0\\.1:${pw.params.port} \\(needs pg_dump ${server.major} or newer\\)`,
        ),
      );
      expect(e.hint).toContain(`postgresql-client-${server.major}`);
      expect(JSON.stringify(e.toJSON()) + e.message).not.toContain(pw.password);
    } else {
      expect(error).toBeUndefined();
      expect(ok?.manifest.pgDump.major).toBeGreaterThanOrEqual(server.major);
      expect(await allText(ok?.dir as string)).not.toContain(pw.password);
    }
  });

  it('the test server through --db: the same rule', async () => {
    const database = await createDatabase(uniqueName('bkdb'));
    try {
      const { server, ok, error } = await backupOrRefusal(
        testServer(),
        `[database]\nurl = "${testServerUrl()}"\n`,
        {},
        { db: database },
      );
      if (inject('pgDumpMajor') < server.major) {
        expect((error as DbfastError).message).toMatch(
          new RegExp(`cannot dump PostgreSQL ${server.major}\\.`),
        );
      } else {
        expect(error).toBeUndefined();
        expect(ok?.manifest).toMatchObject({ database, server: { major: server.major } });
      }
    } finally {
      await dropDatabases(database);
    }
  });
});
