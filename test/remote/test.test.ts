import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { type PasswordServer, startPasswordServer } from '../helpers/password-server.js';

/**
 * `dbfast remote test` against real servers: the PG15 server (trust), a private PG18 server
 * that requires a password, and addresses that fail in each of the ways a remote can.
 */
describe('dbfast remote test', () => {
  let pw: PasswordServer;
  let dir: string;
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  const WRONG = 'Wr0ng-pw-never-shown';

  beforeAll(async () => {
    pw = await startPasswordServer();
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
        remote('pg15', 'postgres://postgres@127.0.0.1:5432/postgres'),
        remote('refused', 'postgres://postgres@127.0.0.1:1/postgres'),
        remote('dns', 'postgres://postgres@no-such-host.invalid:5432/postgres'),
        remote('nodb', 'postgres://postgres@127.0.0.1:5432/no_such_database_dbfast'),
        remote('silent', `postgres://postgres@127.0.0.1:${silentPort}/postgres`),
        remote(
          'pg18',
          `postgres://postgres@127.0.0.1:${pw.params.port}/postgres`,
          'password_env = "PG18_PW"',
        ),
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    silent?.close();
    await pw?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const test = (name: string, env: Record<string, string> = {}, extra: string[] = []) =>
    runCli(['remote', 'test', name, ...extra], { cwd: dir, env });

  it('reports version, latency, user and rights, size, TLS and the pg_dump that fits', async () => {
    const { exitCode, json } = await runCliJson(['remote', 'test', 'pg15'], { cwd: dir });
    expect(exitCode).toBe(0);
    expect(json).toMatchObject({
      ok: true,
      server: { major: 15 },
      currentUser: 'postgres',
      superuser: true,
      createdb: true,
      tls: { enabled: false },
      pgDump: { ok: true, version: expect.stringMatching(/^15\./) },
    });
    expect(json.latencyMs).toBeGreaterThan(0);
    expect(json.databaseSizeBytes).toBeGreaterThan(1_000_000);
    const text = await test('pg15');
    expect(text.stdout).toMatch(/server:\s+PostgreSQL 15\./);
    expect(text.stdout).toMatch(/pg_dump:\s+15\.\d+ can dump it/);
  });

  it('a PG18 server with the right password: works, says pg_dump 15 cannot dump it', async () => {
    const result = await test('pg18', { PG18_PW: pw.password });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/server:\s+PostgreSQL 18\./);
    expect(result.stdout).toContain('cannot dump it');
    expect(result.stdout).toContain('postgresql-client-18');
    expect(result.stdout + result.stderr).not.toContain(pw.password);
  });

  it('a wrong password: authentication failed, password not shown', async () => {
    const result = await test('pg18', { PG18_PW: WRONG });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Authentication failed for postgres@127.0.0.1:${pw.params.port}`,
    );
    expect(result.stdout + result.stderr).not.toContain(WRONG);
    const unset = await test('pg18');
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain('PG18_PW (password_env) is not set');
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
