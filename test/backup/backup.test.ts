import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackup } from '../../src/backup/create.js';
import { listBackups } from '../../src/backup/list.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { verifyAllBackups, verifyBackup } from '../../src/backup/verify.js';
import { DbfastError } from '../../src/errors.js';
import { openProject } from '../../src/project.js';
import { type PasswordServer, startPasswordServer } from '../helpers/password-server.js';
import { testServerUrl } from '../helpers/server.js';
import {
  backupProject,
  createSampleDatabase,
  dropPg15,
  pg15DatabasesLike,
  snapshot,
} from './pg15.js';

async function failure(promise: Promise<unknown>): Promise<DbfastError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DbfastError);
  return error as DbfastError;
}

/** Every file under a folder, concatenated: to prove a secret is nowhere in a backup. */
async function allText(dir: string): Promise<string> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name), 'latin1'));
  }
  return out.join('\n');
}

describe('backups (PostgreSQL 15 at 127.0.0.1:5432)', () => {
  let source: string;
  beforeAll(async () => {
    source = await createSampleDatabase();
  });
  afterAll(async () => {
    await dropPg15(...(await pg15DatabasesLike(source)));
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
        server: { major: 15 },
        pgDump: { major: 15 },
      });
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

  it('refuses lz4 with pg_dump 15, saying pg_dump 16 is needed; leaves no folder', async () => {
    const temp = await backupProject(source);
    try {
      const error = await failure(createBackup(temp.project, { remote: 'prod', compress: 'lz4' }));
      expect(error.code).toBe('pgtool.too_old');
      expect(error.message).toContain('write lz4 compression (needs pg_dump 16 or newer)');
      expect(error.hint).toContain('postgresql-client-16');
      expect(existsSync(join(temp.dir, '.dbfast/backups/prod'))).toBe(false);
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

describe('backups of a PostgreSQL 18 server with pg_dump 15', () => {
  let pw: PasswordServer;
  beforeAll(async () => {
    pw = await startPasswordServer();
  });
  afterAll(async () => {
    await pw?.stop();
  });

  it('fail with the version message, and never show the password', async () => {
    const url = `postgres://postgres@127.0.0.1:${pw.params.port}/postgres`;
    const project = openProject({
      configText: `[remotes.new]\nurl = "${url}"\npassword_env = "NEW_PW"\n`,
      env: { NEW_PW: pw.password },
    });
    const error = await failure(createBackup(project, { remote: 'new' }));
    expect(error.code).toBe('pgtool.too_old');
    expect(error.message).toMatch(
      /pg_dump 15\.\d+ cannot dump PostgreSQL 18\.\d+ at 127\.0\.0\.1:\d+ \(needs pg_dump 18 or newer\)/,
    );
    expect(error.hint).toContain('postgresql-client-18');
    expect(JSON.stringify(error.toJSON()) + error.message).not.toContain(pw.password);
  });

  it('the embedded test server gives the same message through --db', async () => {
    if (inject('testServerKind') !== 'embedded') return; // the password server covered PG18
    const project = openProject({ configText: `[database]\nurl = "${testServerUrl()}"\n` });
    const error = await failure(createBackup(project, { db: 'postgres' }));
    expect(error.message).toMatch(/cannot dump PostgreSQL 18\.\d+/);
  });
});
