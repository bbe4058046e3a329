import { beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/backup/restore.js';
import { createBackup } from '../../src/backup/take-backup.js';
import { connect } from '../../src/server/connection.js';
import { quoteIdent } from '../../src/server/identifiers.js';
import { failure } from '../helpers/failure.js';
import { uniqueName } from '../helpers/server.js';
import {
  backupDatabasesLike,
  backupDatabaseUrl,
  backupProject,
  backupQuery,
  backupServer,
  createSampleDatabase,
  dropOnBackupServer,
  sampleProject,
  skipBackups,
  snapshot,
} from './backup-server.js';

describe.skipIf(skipBackups)('restore (on the backup server)', () => {
  const sample = sampleProject({
    rows: 50,
    extra: (source) =>
      `allow_destructive = true\n\n[remotes.live]\nurl = "${backupDatabaseUrl(source)}"\nenvironment = "production"\nallow_destructive = true\n\n[environments.production]\n`,
  });
  let id: string;
  beforeAll(async () => {
    id = (await createBackup(sample.temp.project, { remote: 'prod' })).id;
  });

  it('replaces an existing database by rename, keeping the old one (undo-able)', async () => {
    const target = `${sample.source}_target`;
    await backupQuery('postgres', `CREATE DATABASE ${quoteIdent(target)}`);
    await backupQuery(target, 'CREATE TABLE marker (x int); INSERT INTO marker VALUES (42)');
    // A session connected to the target must not stop the swap: it gets terminated.
    const idle = await connect(backupServer(), { database: target });
    const unconfirmed = await failure(restoreBackup(sample.temp.project, { id, to: target }));
    expect(unconfirmed).toMatchObject({ code: 'restore.unconfirmed', exitCode: 2 });

    const result = await restoreBackup(sample.temp.project, { id, to: target, replace: true });
    expect(result.previous).toMatch(new RegExp(`^${target}_old_\\d{8}T\\d{6}Z$`));
    expect(await snapshot(target)).toEqual(await snapshot(sample.source));
    const kept = await backupQuery(result.previous as string, 'SELECT x FROM marker');
    expect(kept).toEqual([{ x: 42 }]);
    // No scratch database is left behind.
    expect((await backupDatabasesLike(target)).sort()).toEqual([target, result.previous].sort());
    await expect(idle.query('SELECT 1')).rejects.toThrow();
    await idle.end().catch(() => undefined);
  });

  it('keeps the _old_ name within 63 bytes for a long target name', async () => {
    const target = `${sample.source}_${'x'.repeat(60 - sample.source.length)}`.slice(0, 63);
    await backupQuery('postgres', `CREATE DATABASE ${quoteIdent(target)}`);
    const result = await restoreBackup(sample.temp.project, { id, to: target, replace: true });
    expect(Buffer.byteLength(result.previous ?? '')).toBeLessThanOrEqual(63);
    expect(result.previous).toMatch(/_old_\d{8}T\d{6}Z$/);
  });

  it('a restore that fails midway leaves the target as it was', async () => {
    const role = uniqueName('role');
    const db = await createSampleDatabase(20);
    const target = `${sample.source}_keep`;
    try {
      // Dump a GRANT to a role, then drop the role: pg_restore fails at the ACL step,
      // after the data was loaded into the scratch database.
      await backupQuery('postgres', `CREATE ROLE ${quoteIdent(role)}`);
      await backupQuery(db, `GRANT SELECT ON customer TO ${quoteIdent(role)}`);
      const other = await backupProject(db);
      try {
        const broken = await createBackup(other.project, { remote: 'prod' });
        await backupQuery(db, `REVOKE ALL ON customer FROM ${quoteIdent(role)}`);
        await backupQuery('postgres', `DROP ROLE ${quoteIdent(role)}`);
        await backupQuery('postgres', `CREATE DATABASE ${quoteIdent(target)}`);
        await backupQuery(target, 'CREATE TABLE marker (x int); INSERT INTO marker VALUES (7)');
        const error = await failure(
          restoreBackup(other.project, { id: broken.id, to: target, replace: true }),
        );
        expect(error.code).toBe('pgtool.failed');
        expect(error.message).toMatch(/pg_restore exited with code 1/);
        expect(error.message).toContain(`role "${role}" does not exist`);
        const rows = await backupQuery(target, 'SELECT x FROM marker');
        expect(rows).toEqual([{ x: 7 }]);
        expect(await backupDatabasesLike(target)).toEqual([target]);
        // The same archive restores fine without its GRANTs.
        const ok = await restoreBackup(other.project, {
          id: broken.id,
          to: `${target}_noacl`,
          noAcl: true,
        });
        expect(ok.database).toBe(`${target}_noacl`);
      } finally {
        await other.cleanup();
      }
    } finally {
      await dropOnBackupServer(db);
      await backupQuery('postgres', `DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    }
  });

  it('--as-template makes a template database with backup metadata, once', async () => {
    const result = await restoreBackup(sample.temp.project, { id, asTemplate: true });
    expect(result.database).toMatch(
      new RegExp(`^${sample.source}_backup_prod_\\d{8}t\\d{6}z_[0-9a-f]{6}$`),
    );
    const rows = await backupQuery<{ comment: string }>(
      'postgres',
      `SELECT datistemplate, datallowconn, shobj_description(oid, 'pg_database') AS comment
         FROM pg_database WHERE datname = $1`,
      [result.database],
    );
    expect(rows[0]).toMatchObject({ datistemplate: true, datallowconn: false });
    expect(JSON.parse(rows[0]?.comment ?? '')).toMatchObject({
      dbfast: 'template',
      kind: 'backup',
      backup: id,
      complete: true,
    });
    const again = await restoreBackup(sample.temp.project, { id, asTemplate: true });
    expect(again).toMatchObject({ database: result.database, existing: true });
  });

  it('a production remote needs its name typed; allow_destructive guards replacing', async () => {
    const to = `${sample.source}_prodcopy`;
    const refused = await failure(restoreBackup(sample.temp.project, { id, to, remote: 'live' }));
    expect(refused).toMatchObject({ code: 'restore.unconfirmed', exitCode: 2 });
    expect(refused.hint).toContain('--confirm live');
    const done = await restoreBackup(sample.temp.project, {
      id,
      to,
      remote: 'live',
      typedRemote: 'live',
    });
    expect(done.remote).toBe('live');
    // Replacing a database on a remote without allow_destructive is refused outright.
    const strict = await backupProject(
      sample.source,
      `\n[backups]\ndir = "${sample.temp.dir}/.dbfast/backups"\n`,
    );
    try {
      const error = await failure(
        restoreBackup(strict.project, { id, to, remote: 'prod', replace: true }),
      );
      expect(error).toMatchObject({ code: 'restore.not_allowed', exitCode: 2 });
      expect(error.hint).toContain('allow_destructive = true');
    } finally {
      await strict.cleanup();
    }
  });
});
