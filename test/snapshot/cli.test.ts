import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, withClient } from '../../src/server/connection.js';
import { quoteIdent } from '../../src/server/identifiers.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';

/** Wait (up to a minute) until the detached `snapshot prepare` has made the ready copy. */
async function readyCopies(cwd: string, db: string): Promise<number> {
  for (let i = 0; i < 600; i += 1) {
    const list = await runCliJson(['snapshot', 'list', '--db', db], { cwd });
    const ready = list.json.snapshots[0]?.ready ?? 0;
    if (ready > 0) return ready;
    await sleep(100);
  }
  return 0;
}

describe('dbfast snapshot through the built CLI', () => {
  let temp: TempProject;
  let db: string;
  beforeAll(async () => {
    temp = await tempProject();
    db = `${temp.prefix}_app`;
    await withClient(testServer(), (c) => c.query(`CREATE DATABASE ${quoteIdent(db)}`));
    await query(db, 'CREATE TABLE note (id int); INSERT INTO note SELECT generate_series(1, 50)');
  });
  afterAll(async () => {
    await temp?.cleanup();
  });
  const cli = (args: string[]) => runCli(args, { cwd: temp.dir });
  const cliJson = (args: string[]) => runCliJson(args, { cwd: temp.dir });
  const count = async () =>
    (await query<{ n: number }>(db, 'SELECT count(*)::int AS n FROM note'))[0]?.n;

  it('save, list, restore (with a client connected), drop', async () => {
    const saved = await cli(['snapshot', 'save', 'start', '--db', db]);
    expect(saved.exitCode).toBe(0);
    expect(saved.stdout).toMatch(new RegExp(`^saved snapshot start of ${db} \\(`));
    // The detached `dbfast snapshot prepare` makes the ready copy in the background.
    expect(await readyCopies(temp.dir, db)).toBe(1);
    const listed = await cli(['snapshot', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`start\\s+${db}\\s+\\S+ \\S+\\s+1`));

    await query(db, 'DELETE FROM note WHERE id > 10');
    const client = await connect(testServer(), { database: db });
    client.on('error', () => undefined);
    const refused = await cli(['snapshot', 'restore', 'start', '--db', db]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('needs confirmation');
    expect(await count()).toBe(10);

    const restored = await cliJson(['snapshot', 'restore', 'start', '--yes']);
    expect(restored.exitCode).toBe(0);
    expect(restored.json).toMatchObject({ ok: true, db, name: 'start', terminated: 1 });
    expect(restored.json.fromReady).toMatch(/_r[0-9a-f]{8}$/);
    expect(await count()).toBe(50);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await client.end().catch(() => undefined);
    const previous = restored.json.previous as string;
    expect(
      (await query<{ n: number }>(previous, 'SELECT count(*)::int AS n FROM note'))[0]?.n,
    ).toBe(10);

    const busy = await connect(testServer(), { database: db });
    try {
      const inUse = await cli(['snapshot', 'save', 'again', '--db', db]);
      expect(inUse.exitCode).toBe(2);
      expect(inUse.stderr).toContain('pass --yes to have dbfast close them');
    } finally {
      await busy.end();
    }

    const noName = await cli(['snapshot', 'drop', '--yes']);
    expect(noName.exitCode).toBe(2);
    const unconfirmed = await cli(['snapshot', 'drop', 'start']);
    expect(unconfirmed.exitCode).toBe(2);
    const dropped = await cliJson(['snapshot', 'drop', 'start', '--yes']);
    expect(dropped.json.dropped).toContain(`${db}_snap_start`);
    const olds = await cliJson(['snapshot', 'drop', '--previous', '--db', db, '--yes']);
    expect(olds.json.dropped).toContain(previous);
    const empty = await cli(['snapshot', 'list', '--db', db]);
    expect(empty.stdout.trim()).toBe('no snapshots');
    expect(await count()).toBe(50);
  });

  it('--help shows examples', async () => {
    const help = await cli(['snapshot', '--help']);
    expect(help.stdout).toContain('dbfast snapshot save before-migration --db shop_dev');
    const deploy = await cli(['deploy', '--help']);
    expect(deploy.stdout).toContain(
      'dbfast deploy --remote prod --env production --yes --confirm prod',
    );
  });
});
