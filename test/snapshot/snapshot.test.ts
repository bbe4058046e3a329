import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, withClient } from '../../src/server/connection.js';
import { quoteIdent } from '../../src/server/identifiers.js';
import { collectGarbage } from '../../src/services/gc.js';
import { dropPreviousStates, dropSnapshot, listSnapshots } from '../../src/snapshot/list.js';
import { restoreSnapshot } from '../../src/snapshot/restore.js';
import { prepareSnapshot, saveSnapshot } from '../../src/snapshot/save.js';
import { failure } from '../helpers/failure.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';

const rows = async (db: string): Promise<number[]> =>
  (await query<{ id: number }>(db, 'SELECT id FROM item ORDER BY id')).map((r) => r.id);

const databasesLike = async (prefix: string): Promise<string[]> =>
  (
    await query<{ datname: string }>(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
      [prefix],
    )
  ).map((r) => r.datname);

describe('dev snapshots (save, restore, list, drop)', () => {
  let temp: TempProject;
  let db: string;
  beforeAll(async () => {
    temp = await tempProject();
    db = `${temp.prefix}_dev`;
    await withClient(testServer(), (c) => c.query(`CREATE DATABASE ${quoteIdent(db)}`));
    await query(
      db,
      'CREATE TABLE item (id int PRIMARY KEY); INSERT INTO item VALUES (1), (2), (3)',
    );
  });
  afterAll(async () => {
    await temp?.cleanup();
  });

  it('saves a labelled template copy and a ready copy, and restores by rename', async () => {
    const saved = await saveSnapshot(temp.project, { name: 'clean', db });
    expect(saved).toMatchObject({ name: 'clean', db, database: `${db}_snap_clean` });
    const prepared = await saved.prepared;
    expect(prepared?.ready).toMatch(new RegExp(`^${db}_snap_clean_r[0-9a-f]{8}$`));
    const [flags] = await query<{ datistemplate: boolean; datallowconn: boolean }>(
      'postgres',
      'SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1',
      [saved.database],
    );
    expect(flags).toEqual({ datistemplate: true, datallowconn: false });

    await query(db, 'DELETE FROM item WHERE id = 2; INSERT INTO item VALUES (9)');
    const unconfirmed = await failure(restoreSnapshot(temp.project, { name: 'clean', db }));
    expect(unconfirmed).toMatchObject({ code: 'snapshot.unconfirmed', exitCode: 2 });

    const restored = await restoreSnapshot(temp.project, { name: 'clean', db, replace: true });
    expect(restored.fromReady).toBe(prepared?.ready);
    expect(await rows(db)).toEqual([1, 2, 3]);
    // The replaced state is kept (undo by renaming it back) and labelled as such.
    expect(restored.previous).toMatch(new RegExp(`^${db}_old_\\d{8}T\\d{6}Z$`));
    expect(await rows(restored.previous as string)).toEqual([1, 3, 9]);
    const next = await restored.prepared;
    expect(next?.created).toBe(true);
    expect(next?.ready).not.toBe(prepared?.ready);

    const list = await listSnapshots(temp.project, { db });
    expect(list.snapshots).toEqual([
      expect.objectContaining({ name: 'clean', db, database: saved.database, ready: 1 }),
    ]);
    expect(list.previous).toEqual([
      expect.objectContaining({ database: restored.previous, db, snapshot: 'clean' }),
    ]);
  });

  it('restores without a ready copy by copying the snapshot, and twice in a row', async () => {
    await query(db, 'INSERT INTO item VALUES (100)');
    const saved = await saveSnapshot(temp.project, { name: 'four', db, prepare: false });
    expect(saved.prepared).toBeUndefined();
    await query(db, 'TRUNCATE item');
    const first = await restoreSnapshot(temp.project, {
      name: 'four',
      db,
      replace: true,
      prepare: false,
    });
    expect(first.fromReady).toBeUndefined();
    expect(await rows(db)).toEqual([1, 2, 3, 100]);
    await query(db, 'DELETE FROM item');
    const second = await restoreSnapshot(temp.project, { name: 'four', db, replace: true });
    expect(await rows(db)).toEqual([1, 2, 3, 100]);
    expect(second.previous).not.toBe(first.previous);
    await second.prepared;
  });

  it('handles a connected client: save refuses without terminate, restore closes it', async () => {
    const client = await connect(testServer(), { database: db });
    try {
      const refused = await failure(saveSnapshot(temp.project, { name: 'busy', db }));
      expect(refused).toMatchObject({ code: 'snapshot.in_use', exitCode: 2 });
      expect(refused.message).toContain('1 other session connected');
    } finally {
      await client.end();
    }
    const saved = await saveSnapshot(temp.project, { name: 'busy', db, prepare: false });
    await query(db, 'INSERT INTO item VALUES (500)');
    const holder = await connect(testServer(), { database: db });
    holder.on('error', () => undefined);
    const restored = await restoreSnapshot(temp.project, {
      name: saved.name,
      db,
      replace: true,
      prepare: false,
    });
    expect(restored.terminated).toBe(1);
    await expect(holder.query('SELECT 1')).rejects.toThrow();
    await holder.end().catch(() => undefined);
    expect(await rows(db)).not.toContain(500);
    // Saving over a name needs force; with force the new content wins.
    const exists = await failure(saveSnapshot(temp.project, { name: 'busy', db }));
    expect(exists).toMatchObject({ code: 'snapshot.exists', exitCode: 2 });
    await query(db, 'INSERT INTO item VALUES (600)');
    const again = await saveSnapshot(temp.project, { name: 'busy', db, force: true });
    await again.prepared;
    await query(db, 'DELETE FROM item');
    await restoreSnapshot(temp.project, { name: 'busy', db, replace: true, prepare: false });
    expect(await rows(db)).toContain(600);
  });

  it('gc keeps the newest previous state of a database and drops the older ones', async () => {
    const { previous } = await listSnapshots(temp.project, { db });
    expect(previous.length).toBeGreaterThan(2);
    const newest = [...previous].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const planned = await collectGarbage(temp.project, { dryRun: true });
    const snapshots = planned.dropped.filter((item) => item.kind === 'snapshot');
    expect(snapshots.map((item) => item.name).sort()).toEqual(
      previous
        .map((p) => p.database)
        .filter((name) => name !== newest?.database)
        .sort(),
    );
    expect(snapshots[0]?.reason).toMatch(/^older previous state of /);
    // Too young for the policy: nothing goes.
    const young = await collectGarbage(temp.project, { dryRun: true, unusedForMs: 3_600_000 });
    expect(young.dropped.filter((item) => item.kind === 'snapshot')).toEqual([]);
    await collectGarbage(temp.project);
    expect((await listSnapshots(temp.project, { db })).previous.map((p) => p.database)).toEqual([
      newest?.database,
    ]);
    // Saved snapshots and their ready copies are not gc's to drop.
    expect((await listSnapshots(temp.project, { db })).snapshots.length).toBe(3);
  });

  it('drops a snapshot with its ready copies, and previous states on request', async () => {
    await prepareSnapshot(temp.project, { name: 'clean', db });
    const dropped = await dropSnapshot(temp.project, { name: 'clean' });
    expect(dropped).toContain(`${db}_snap_clean`);
    expect((await databasesLike(`${db}_snap_clean`)).length).toBe(0);
    const missing = await failure(restoreSnapshot(temp.project, { name: 'clean', db }));
    expect(missing).toMatchObject({ code: 'snapshot.not_found', exitCode: 2 });
    const previous = await dropPreviousStates(temp.project, { db });
    expect(previous.length).toBeGreaterThan(0);
    expect(await databasesLike(`${db}_old_`)).toEqual([]);
    // The database itself is untouched by either.
    expect(await rows(db)).toContain(600);
  });

  it('refuses bad snapshot names and a missing database', async () => {
    const bad = await failure(saveSnapshot(temp.project, { name: 'no spaces', db }));
    expect(bad).toMatchObject({ code: 'snapshot.bad_name', exitCode: 2 });
    const none = await failure(saveSnapshot(temp.project, { name: 'x', db: `${db}_nope` }));
    expect(none).toMatchObject({ code: 'snapshot.no_database', exitCode: 2 });
    const noDb = await failure(saveSnapshot(temp.project, { name: 'x' }));
    expect(noDb).toMatchObject({ code: 'snapshot.no_db', exitCode: 2 });
  });
});
