import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectionUrl, redactUrl } from '../../src/config/url.js';
import { runCli } from '../helpers/cli.js';

/** "What was seen" 7 of the ownership issue: passwords printed in part, sslmode typos. */
describe('URLs', () => {
  it('redacts a password containing @ whole (the authority ends at the last @)', () => {
    expect(redactUrl('postgres://u:p@ss@h/db')).toBe('postgres://u:****@h/db');
    expect(redactUrl('postgres://u:a@b@c@h:5/db?password=x@y')).toBe(
      'postgres://u:****@h:5/db?password=****',
    );
    expect(redactUrl('postgres://u@/db?host=/tmp')).toBe('postgres://u@/db?host=/tmp');
    expect(parseConnectionUrl('postgres://u:p@ss@h/db')).toMatchObject({
      user: 'u',
      password: 'p@ss',
      host: 'h',
    });
  });

  it('a URL that does not parse is refused without printing any part of it', () => {
    const url = 'postgres://admin:hunter2@db.example.com:99999/app';
    expect(redactUrl(url)).toBe('postgres://<URL not shown: it does not parse>');
    expect(() => parseConnectionUrl(url)).toThrow(/not a valid URL \(not shown/);
    try {
      parseConnectionUrl(url);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
      expect(String((error as Error).message)).not.toContain('admin');
    }
  });

  it('an sslmode typo in a URL fails closed, like the config key', async () => {
    expect(() => parseConnectionUrl('postgres://u@h/db?sslmode=requre')).toThrow(
      'invalid sslmode "requre"',
    );
    const cwd = await mkdtemp(join(tmpdir(), 'dbfast-url-'));
    const result = await runCli(
      ['status', '--database-url', 'postgres://u:pw@h/db?sslmode=requre'],
      { cwd },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('invalid sslmode "requre"');
    expect(result.stderr).not.toContain(':pw@');
    const env = await runCli(['status'], { cwd, env: { PGHOST: 'h', PGSSLMODE: 'requre' } });
    await rm(cwd, { recursive: true, force: true });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('PGSSLMODE: expected one of');
  });
});
