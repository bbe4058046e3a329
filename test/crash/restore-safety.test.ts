import { copyFile, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/backup/restore.js';
import { createBackup } from '../../src/backup/take-backup.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { connect, withClient } from '../../src/server/connection.js';
import { quoteIdent } from '../../src/server/identifiers.js';
import { collectGarbage } from '../../src/services/gc.js';
import {
  type BackupProject,
  backupDatabasesLike,
  backupProject,
  backupServer,
  createSampleDatabase,
  dropOnBackupServer,
  skipBackups,
  snapshot,
} from '../backup/backup-server.js';
import { failure } from '../sql/helpers.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

const sql = (database: string, text: string) =>
  withClient(backupServer(), (c) => c.query(text), { database });

async function allowsConnections(database: string): Promise<boolean | undefined> {
  const { rows } = await withClient(backupServer(), (c) =>
    c.query<{ datallowconn: boolean }>('SELECT datallowconn FROM pg_database WHERE datname = $1', [
      database,
    ]),
  );
  return rows[0]?.datallowconn;
}

describe.skipIf(skipBackups)('restore safety (on the backup test server)', () => {
  let source: string;
  let evil: string;
  let temp: BackupProject;
  let evilProject: BackupProject;
  // The evil function writes `/tmp/<marker><database it runs in>` on the server.
  const marker = `dbfast-pwned-${process.pid}-${Date.now()}-`;
  beforeAll(async () => {
    source = await createSampleDatabase(30);
    temp = await backupProject(source, 'allow_destructive = true\n');
    // A database whose restore writes a file on the server: the materialized view is
    // refreshed by pg_restore, which calls the function, which runs COPY … TO.
    evil = await createSampleDatabase(1);
    await sql(
      evil,
      `CREATE FUNCTION public.pwn() RETURNS int LANGUAGE plpgsql AS $$
         BEGIN EXECUTE format('COPY (SELECT 1) TO %L', '/tmp/${marker}' || current_database());
         RETURN 1; END $$;
       CREATE MATERIALIZED VIEW public.m AS SELECT public.pwn() AS x;`,
    );
    evilProject = await backupProject(evil);
  });
  afterAll(async () => {
    // The evil function's files (on this machine when the server is local).
    const { rows } = await withClient(backupServer(), (c) =>
      c.query<{ f: string }>(
        "SELECT f FROM pg_catalog.pg_ls_dir('/tmp') AS t(f) WHERE starts_with(f, $1)",
        [marker],
      ),
    );
    for (const row of rows) await rm(join('/tmp', row.f), { force: true });
    await dropOnBackupServer(
      ...(await backupDatabasesLike(source)),
      ...(await backupDatabasesLike(evil)),
    );
    await temp?.cleanup();
    await evilProject?.cleanup();
  });

  /** Whether the evil function ran in a database whose name starts with `database`. */
  const markerWritten = async (database: string): Promise<boolean> => {
    const { rows } = await withClient(backupServer(), (c) =>
      c.query("SELECT 1 FROM pg_catalog.pg_ls_dir('/tmp') AS t(f) WHERE starts_with(f, $1)", [
        `${marker}${database}`,
      ]),
    );
    return rows.length > 0;
  };

  it('a swapped dump is refused before any of its SQL runs', async () => {
    const good = await createBackup(temp.project, { remote: 'prod' });
    const bad = await createBackup(evilProject.project, { remote: 'prod' });
    // Control: restoring the evil archive itself does write the file.
    await restoreBackup(evilProject.project, { id: bad.id, to: `${evil}_control` });
    expect(await markerWritten(`${evil}_control`)).toBe(true);

    await copyFile(join(bad.dir, 'dump'), join(good.dir, 'dump'));
    const target = `${source}_tampered`;
    const error = await failure(restoreBackup(temp.project, { id: good.id, to: target }));
    expect(error.code).toBe('restore.corrupt');
    expect(error.message).toContain('dump: checksum mismatch');
    expect(await markerWritten(target)).toBe(false);
    expect(await backupDatabasesLike(target)).toEqual([]);
  });

  it('a manifest whose entry count pg_restore -l does not confirm is refused', async () => {
    const backup = await createBackup(temp.project, { remote: 'prod' });
    const path = join(backup.dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8')) as { entries: number };
    await writeFile(path, JSON.stringify({ ...manifest, entries: manifest.entries + 1 }));
    const target = `${source}_count`;
    const error = await failure(restoreBackup(temp.project, { id: backup.id, to: target }));
    expect(error.code).toBe('restore.corrupt');
    expect(error.message).toMatch(/pg_restore -l lists \d+ entries, manifest says \d+/);
    expect(await backupDatabasesLike(target)).toEqual([]);
  });

  it('a dump that is a symbolic link (to an identical file outside the folder) fails verify and restore', async () => {
    const backup = await createBackup(temp.project, { remote: 'prod' });
    const outside = join(temp.dir, 'elsewhere.dump');
    await copyFile(join(backup.dir, 'dump'), outside);
    await rm(join(backup.dir, 'dump'));
    await symlink(outside, join(backup.dir, 'dump'));
    const verified = await verifyBackup(temp.project, backup.id);
    expect(verified.ok).toBe(false);
    expect(verified.problems.join('\n')).toContain('dump: a symbolic link');
    const error = await failure(
      restoreBackup(temp.project, { id: backup.id, to: `${source}_linked` }),
    );
    expect(error.code).toBe('restore.corrupt');
    expect(error.message).toContain('dump: a symbolic link');
  });

  it('two restores of one target at once both succeed, each keeping what it replaced', async () => {
    const backup = await createBackup(temp.project, { remote: 'prod' });
    const target = `${source}_twice`;
    await sql('postgres', `CREATE DATABASE ${quoteIdent(target)}`);
    const both = await Promise.all(
      [1, 2].map(() => restoreBackup(temp.project, { id: backup.id, to: target, replace: true })),
    );
    expect(new Set(both.map((r) => r.previous)).size).toBe(2);
    expect(await snapshot(target)).toEqual(await snapshot(source));
    expect((await backupDatabasesLike(target)).sort()).toEqual(
      [target, ...both.map((r) => r.previous as string)].sort(),
    );
  });

  for (const repairer of ['the next restore', 'gc'] as const) {
    it(`a restore killed in the middle of its swap leaves a target that ${repairer} makes reachable again`, async () => {
      const backup = await createBackup(temp.project, { remote: 'prod' });
      const target = `${source}_swap${repairer === 'gc' ? 'g' : 'r'}`;
      await sql('postgres', `CREATE DATABASE ${quoteIdent(target)}`);
      await sql(target, 'CREATE TABLE mine (x int); INSERT INTO mine VALUES (1)');
      const child = execa(
        'node',
        [BIN, 'restore', backup.id, '--to', target, '--yes', '--config', temp.configPath],
        { reject: false },
      );
      // Hold the scratch database's catalog row from the moment it exists (nothing before
      // the swap changes that row): the swap's transaction blocks on it right after the target
      // was set to refuse connections and renamed aside.
      const holder = await connect(backupServer());
      try {
        let scratch: string | undefined;
        for (let i = 0; i < 1000 && scratch === undefined; i += 1) {
          const { rows } = await holder.query<{ datname: string }>(
            'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
            [`${target}_restore_`],
          );
          scratch = rows[0]?.datname;
          if (scratch === undefined) await new Promise((r) => setTimeout(r, 5));
        }
        expect(scratch).toBeDefined();
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM pg_database WHERE datname = $1 FOR UPDATE', [scratch]);
        let blocked = false;
        for (let i = 0; i < 600 && !blocked; i += 1) {
          // Not on the holder: inside a transaction pg_stat_activity is a frozen snapshot.
          const { rows } = await sql(
            'postgres',
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND query LIKE 'ALTER DATABASE%RENAME%' AND query LIKE '%${scratch}%'`,
          );
          blocked = rows.length > 0;
          if (!blocked) await new Promise((r) => setTimeout(r, 10));
        }
        expect(blocked).toBe(true);
        child.kill('SIGKILL');
        await child;
      } finally {
        await holder.query('COMMIT').catch(() => undefined);
        await holder.end();
      }
      // The kill left the user's database refusing connections.
      expect(await allowsConnections(target)).toBe(false);
      if (repairer === 'gc') {
        const gc = await collectGarbage(temp.project);
        expect(gc.dropped.filter((d) => d.kind === 'restore')).toHaveLength(1);
        expect(await allowsConnections(target)).toBe(true);
        expect(await backupDatabasesLike(target)).toEqual([target]);
      } else {
        const again = await restoreBackup(temp.project, {
          id: backup.id,
          to: target,
          replace: true,
        });
        // The user's original data, kept aside, is reachable (the undo command works).
        const kept = await withClient(
          backupServer(),
          async (c) => (await c.query('SELECT x FROM mine')).rows,
          {
            database: again.previous as string,
          },
        );
        expect(kept).toEqual([{ x: 1 }]);
        expect(await allowsConnections(target)).toBe(true);
        expect((await backupDatabasesLike(target)).sort()).toEqual([target, again.previous].sort());
      }
    });
  }
});
