import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectionUrl } from '../../src/config/url.js';
import { withClient } from '../../src/server/connection.js';
import { serverInfo } from '../../src/server/info.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { passwordServer, testServer, testServerUrl } from '../helpers/server.js';

/**
 * `dbfast remote test` against real servers: the test server (trust), the private embedded
 * server that requires a password, and addresses that fail in each of the ways a remote can.
 * Versions are compared as relations (the installed pg_dump against the server), never as
 * this machine's numbers.
 */
describe('dbfast remote test', () => {
  const pw = passwordServer();
  let dir: string;
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  const WRONG = 'Wr0ng-pw-never-shown';

  beforeAll(async () => {
    // Accepts TCP connections and never answers: a server behind a stuck firewall.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'dbfast-remote-test-'));
    await chmod(dir, 0o755);
    const remote = (name: string, url: string, extra = '') =>
      `[remotes.${name}]\nurl = "${url}"\n${extra}\n`;
    await writeFile(
      join(dir, 'dbfast.toml'),
      [
        remote('main', testServerUrl()),
        remote('refused', 'postgres://postgres@127.0.0.1:1/postgres'),
        remote('dns', 'postgres://postgres@no-such-host.invalid:5432/postgres'),
        remote('nodb', connectionUrl({ ...testServer(), database: 'no_such_database_dbfast' })),
        remote('silent', `postgres://postgres@127.0.0.1:${silentPort}/postgres`),
        remote('pw', connectionUrl(pw.params), 'password_env = "PW_PW"'),
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    silent?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const test = (name: string, env: Record<string, string> = {}, extra: string[] = []) =>
    runCli(['remote', 'test', name, ...extra], { cwd: dir, env });

  it('reports version, latency, user and rights, size, TLS and whether pg_dump fits', async () => {
    const info = await withClient(testServer(), serverInfo);
    const { exitCode, json } = await runCliJson(['remote', 'test', 'main'], { cwd: dir });
    expect(exitCode).toBe(0);
    expect(json).toMatchObject({
      ok: true,
      server: { major: info.major },
      currentUser: info.currentUser,
      superuser: info.superuser,
      createdb: info.createdb,
      tls: { enabled: false },
      pgDump: { ok: inject('pgDumpMajor') >= info.major },
    });
    expect(json.latencyMs).toBeGreaterThan(0);
    expect(json.databaseSizeBytes).toBeGreaterThan(1_000_000);
    const text = await test('main');
    expect(text.stdout).toContain(`server:    PostgreSQL ${info.version}`);
    expect(text.stdout).toMatch(
      inject('pgDumpMajor') >= info.major
        ? /pg_dump:\s+\d+\.\d+ can dump it/
        : new RegExp(`cannot dump it.*postgresql-client-${info.major}`, 's'),
    );
  });

  it('a server that needs a password, given the right one: works; pg_dump fits or not', async () => {
    const info = await withClient(pw.params, serverInfo);
    const result = await test('pw', { PW_PW: pw.password });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`server:    PostgreSQL ${info.version}`);
    if (inject('pgDumpMajor') < info.major) {
      expect(result.stdout).toContain('cannot dump it');
      expect(result.stdout).toContain(`postgresql-client-${info.major}`);
    } else {
      expect(result.stdout).toMatch(/pg_dump:\s+\d+\.\d+ can dump it/);
    }
    expect(result.stdout + result.stderr).not.toContain(pw.password);
  });

  it('a wrong password: authentication failed, password not shown', async () => {
    const result = await test('pw', { PW_PW: WRONG });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Authentication failed for postgres@127.0.0.1:${pw.params.port}`,
    );
    expect(result.stdout + result.stderr).not.toContain(WRONG);
    const unset = await test('pw');
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain('PW_PW (password_env) is not set');
  });

  it('refused, DNS failure, missing database and timeout each say what happened', async () => {
    const [refused, dns, nodb, silentResult] = await Promise.all([
      test('refused'),
      test('dns'),
      test('nodb'),
      test('silent', {}, ['--timeout', '1']),
    ]);
    expect(refused.stderr).toContain('Cannot connect to 127.0.0.1:1: connection refused.');
    expect(dns.stderr).toContain('Cannot resolve host "no-such-host.invalid".');
    expect(nodb.stderr).toContain('Database "no_such_database_dbfast" does not exist');
    expect(silentResult.stderr).toContain(`Timed out connecting to 127.0.0.1:${silentPort}.`);
    for (const r of [refused, dns, nodb, silentResult]) expect(r.exitCode).toBe(1);
    const json = await runCliJson(['remote', 'test', 'refused'], { cwd: dir });
    expect(json.json.error.code).toBe('server.unreachable');
  });
});
