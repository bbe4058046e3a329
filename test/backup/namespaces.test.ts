import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/backup/list.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { pruneBackups } from '../../src/backup/retention.js';
import { encodeSegment } from '../../src/backup/store.js';
import { createBackup } from '../../src/backup/take-backup.js';
import { withClient } from '../../src/server/connection.js';
import { databaseIdent } from '../../src/server/identifiers.js';
import { runCliJson } from '../helpers/cli.js';
import {
  type BackupProject,
  backupDatabasesLike,
  backupDatabaseUrl,
  backupProject,
  backupQuery,
  backupServer,
  createSampleDatabase,
  dropOnBackupServer,
  skipBackups,
} from './backup-server.js';

/**
 * "What was seen" 5 of the ownership issue: backups of `--remote X` and `--db X` shared a
 * folder, lossy cleaning made `a'b` and `a\b` collide, and latest/prune/restore mixed them.
 */
describe.skipIf(skipBackups)('backup sources never mix (backup server)', () => {
  let name: string;
  let remoteDb: string;
  let temp: BackupProject;
  const marker = (db: string, value: string) =>
    backupQuery(db, `CREATE TABLE marker AS SELECT '${value}'::text AS v`);
  const markerOf = (db: string) => backupQuery(db, 'SELECT v FROM marker');
  beforeAll(async () => {
    // A database X, and a remote named X pointing at another database.
    name = await createSampleDatabase(10);
    remoteDb = await createSampleDatabase(10);
    await marker(name, 'local');
    await marker(remoteDb, 'remote');
    temp = await backupProject(
      name,
      `[remotes."${name}"]\nurl = ${JSON.stringify(backupDatabaseUrl(remoteDb))}\n`,
    );
  });
  afterAll(async () => {
    await dropOnBackupServer(
      ...(await backupDatabasesLike(name)),
      ...(await backupDatabasesLike(remoteDb)),
    );
    await temp?.cleanup();
  });

  it('--remote X and --db X stay apart through list, restore and prune', async () => {
    const remote = await createBackup(temp.project, { remote: name });
    const local = await createBackup(temp.project, { db: name });
    expect(remote.id.startsWith(`remote/${name}/`)).toBe(true);
    expect(local.id.startsWith(`db/${name}/`)).toBe(true);
    expect(remote.dir).not.toBe(local.dir);
    const ofRemote = await listBackups(temp.project, { source: { kind: 'remote', name } });
    const ofDb = await listBackups(temp.project, { source: { kind: 'database', name } });
    expect(ofRemote.map((b) => b.id)).toEqual([remote.id]);
    expect(ofDb.map((b) => b.id)).toEqual([local.id]);

    // `X/latest` could be either: refused, naming both.
    const ambiguous = await restoreBackup(temp.project, {
      id: `${name}/latest`,
      to: `${name}_x`,
    }).catch((e: unknown) => e);
    expect(ambiguous).toMatchObject({ code: 'backup.ambiguous', exitCode: 2 });
    expect((ambiguous as Error).message).toContain(`remote/${name}`);
    expect((ambiguous as Error).message).toContain(`db/${name}`);
    const latest = await runCliJson(['restore', 'latest', '--to', `${name}_y`], { cwd: temp.dir });
    expect(latest.exitCode).toBe(2);
    expect(latest.stdout + latest.stderr).toContain('matches backups of 2 sources');

    await restoreBackup(temp.project, { id: `remote/${name}/latest`, to: `${name}_r` });
    await restoreBackup(temp.project, { id: `db/${name}/latest`, to: `${name}_d` });
    expect(await markerOf(`${name}_r`)).toEqual([{ v: 'remote' }]);
    expect(await markerOf(`${name}_d`)).toEqual([{ v: 'local' }]);

    // Retention per source: keep-last 1 keeps the only backup of each.
    const plan = await pruneBackups(temp.project, { keepLast: 1, dryRun: true });
    expect(plan.deleted).toEqual([]);
    const second = await createBackup(temp.project, { db: name });
    const pruned = await pruneBackups(temp.project, { keepLast: 1, confirmed: true });
    expect(pruned.deleted).toEqual([local.id]);
    expect((await listBackups(temp.project)).map((b) => b.id).sort()).toEqual(
      [remote.id, second.id].sort(),
    );
  });

  it("names that cleaned to the same folder (a'b, a\\b; my app, my_app) get their own", async () => {
    const names = [`${name}a'b`, `${name}a\\b`, `${name}my app`, `${name}my_app`];
    const folders = names.map(encodeSegment);
    expect(new Set(folders).size).toBe(4);
    expect(encodeSegment('App')).not.toBe(encodeSegment('app'));
    expect(encodeSegment('.x').startsWith('.')).toBe(false);
    await withClient(backupServer(), async (c) => {
      for (const db of names) await c.query(`CREATE DATABASE ${databaseIdent(db)}`);
    });
    for (const [i, db] of names.entries()) {
      await marker(db, String(i));
      await createBackup(temp.project, { db });
    }
    expect((await readdir(join(temp.dir, '.dbfast/backups/db'))).sort()).toEqual(
      [...folders, encodeSegment(name)].sort(),
    );
    for (const [i, db] of names.entries()) {
      await restoreBackup(temp.project, { id: `db/${db}/latest`, to: `${name}_n${i}` });
      expect(await markerOf(`${name}_n${i}`)).toEqual([{ v: String(i) }]);
    }
  });

  it('reads 0.1.0 folders where they are, by the source their manifest names', async () => {
    const made = await createBackup(temp.project, { remote: name });
    const stamp = made.id.split('/').at(-1) as string;
    // 0.1.0 wrote <dir>/<cleaned source>/<stamp>/: move this backup there.
    const legacy = join(temp.dir, '.dbfast/backups', `${name}_legacy`, stamp);
    await mkdir(join(legacy, '..'), { recursive: true });
    await rename(made.dir, legacy);
    const listed = (await listBackups(temp.project, { source: { kind: 'remote', name } })).find(
      (b) => b.dir === legacy,
    );
    expect(listed).toMatchObject({ id: `${name}_legacy/${stamp}`, source: `remote/${name}` });
    const found = await restoreBackup(temp.project, {
      id: `${name}_legacy/${stamp}`,
      to: `${name}_legacy`,
    });
    expect(found.database).toBe(`${name}_legacy`);
    expect(await markerOf(`${name}_legacy`)).toEqual([{ v: 'remote' }]);
  });
});
