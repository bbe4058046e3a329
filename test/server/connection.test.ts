import { describe, expect, it } from 'vitest';
import { DbfastError } from '../../src/errors.js';
import { withAdvisoryLock, withClient, withTransaction } from '../../src/server/connection.js';
import { serverInfo } from '../../src/server/info.js';
import {
  createDatabase,
  dropDatabases,
  passwordServer,
  query,
  testServer,
} from '../helpers/server.js';

async function failure(promise: Promise<unknown>): Promise<DbfastError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DbfastError);
    return error as DbfastError;
  }
  throw new Error('expected a failure');
}

describe('connections', () => {
  it('reads server info from a real server (PostgreSQL >= 15)', async () => {
    const info = await withClient(testServer(), serverInfo);
    expect(info.major).toBeGreaterThanOrEqual(15);
    expect(info.superuser).toBe(true);
  });

  it('says host:port and what to check when the server is unreachable', async () => {
    const error = await failure(
      withClient({ ...testServer(), host: '127.0.0.1', port: 1 }, async () => 1),
    );
    expect(error.code).toBe('server.unreachable');
    expect(error.message).toBe('Cannot connect to 127.0.0.1:1: connection refused.');
    expect(error.hint).toMatch(/running/);
  });

  it('reports a wrong password without printing it', async () => {
    const wrong = 'Wr0ng-pass-abc';
    const pw = passwordServer();
    const error = await failure(withClient({ ...pw.params, password: wrong }, async () => 1));
    expect(error.code).toBe('server.auth_failed');
    expect(error.message).toContain(
      `Authentication failed for postgres@127.0.0.1:${pw.params.port}/postgres`,
    );
    expect(JSON.stringify(error.toJSON()) + error.message + error.hint).not.toContain(wrong);
    await withClient(pw.params, (client) => client.query('SELECT 1'));
  });

  it('reports a missing database by name', async () => {
    const error = await failure(
      withClient(testServer(), async () => 1, { database: 'no_such_db_dbfast' }),
    );
    expect(error.code).toBe('server.database_missing');
    expect(error.message).toContain('"no_such_db_dbfast" does not exist');
  });

  it('rolls back a failed transaction and serialises advisory locks', async () => {
    const db = await createDatabase();
    try {
      await withClient(
        testServer(),
        async (client) => {
          await client.query('CREATE TABLE t (x int)');
          await withTransaction(client, (c) => c.query('INSERT INTO t VALUES (1)'));
          await expect(
            withTransaction(client, async (c) => {
              await c.query('INSERT INTO t VALUES (2)');
              throw new Error('boom');
            }),
          ).rejects.toThrow('boom');
        },
        { database: db },
      );
      expect(await query(db, 'SELECT x FROM t')).toEqual([{ x: 1 }]);

      const order: string[] = [];
      const hold = (name: string) =>
        withAdvisoryLock(testServer(), `test-${db}`, async () => {
          order.push(`${name}:in`);
          await new Promise((r) => setTimeout(r, 100));
          order.push(`${name}:out`);
        });
      await Promise.all([hold('a'), hold('b')]);
      expect(order[1]).toBe(`${order[0]?.split(':')[0]}:out`);
    } finally {
      await dropDatabases(db);
    }
  });
});
