import { afterEach, describe, expect, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { isDbfastError, type WatchEvent, watchTemplate } from '../../src/index.js';
import { rebuildQueue } from '../../src/template/watch.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';

async function until<T>(find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for a watch event');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Wait until a session on one of the prefix's databases runs a query LIKE `pattern`. */
async function waitForQuery(prefix: string, pattern: string): Promise<void> {
  await untilAsync(async () => {
    const rows = await query(
      'postgres',
      'SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, $1) AND query LIKE $2',
      [prefix, pattern],
    );
    return rows.length > 0 ? true : undefined;
  });
}

async function untilAsync<T>(find: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for the server');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('watch mode', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('the queue runs at most one extra time however many triggers arrive while running', async () => {
    let runs = 0;
    const queue = rebuildQueue(async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 30));
    });
    await Promise.all([queue.trigger(), queue.trigger(), queue.trigger(), queue.trigger()]);
    expect(runs).toBe(2);
    await queue.trigger();
    expect(runs).toBe(3);
  });

  it('picks up a save, survives a broken file, recovers when it is fixed, and stops cleanly', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' } });
    const events: WatchEvent[] = [];
    const watcher = watchTemplate(temp.project, { debounceMs: 50, onEvent: (e) => events.push(e) });
    await watcher.ready;
    const first = events.find((e) => e.type === 'built');
    expect(first).toBeDefined();

    const seen = events.length;
    await temp.write('sql/b.sql', 'INSERT INTO a VALUES (1);\n');
    const built = await until(() => events.slice(seen).find((e) => e.type === 'built'));
    expect(built.type === 'built' && built.result.reasons).toEqual(['added: b.sql']);

    const beforeBroken = events.length;
    await temp.write('sql/b.sql', 'INSERT INTO a VALUES (1;\n');
    const failed = await until(() => events.slice(beforeBroken).find((e) => e.type === 'error'));
    expect(failed.type === 'error' && isDbfastError(failed.error) && failed.error.message).toMatch(
      /b\.sql:1:\d+: ERROR: syntax error/,
    );

    const beforeFix = events.length;
    await temp.write('sql/b.sql', 'INSERT INTO a VALUES (2);\n');
    const fixed = await until(() => events.slice(beforeFix).find((e) => e.type === 'built'));
    expect(fixed.type).toBe('built');

    // Ctrl-C in the middle of a build: the build is surely running (its slow statement is
    // on the server) when the watcher closes; nothing half-built stays behind and the build
    // never completes.
    const beforeStop = events.length;
    await temp.write('sql/c.sql', 'SELECT pg_sleep(60);\n');
    await until(() => events.slice(beforeStop).find((e) => e.type === 'building'));
    await waitForQuery(workPrefix(temp.project.id), '%pg_sleep(60)%');
    await watcher.close();
    const left = await query(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [workPrefix(temp.project.id)],
    );
    expect(left).toEqual([]);
    const sessions = await query(
      'postgres',
      'SELECT pid FROM pg_stat_activity WHERE starts_with(datname, $1) OR starts_with(datname, $2)',
      [temp.prefix, workPrefix(temp.project.id)],
    );
    expect(sessions).toEqual([]);
    expect(events.slice(beforeStop).filter((e) => e.type === 'built')).toEqual([]);
  });
});
