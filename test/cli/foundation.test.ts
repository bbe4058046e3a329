import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { testServerUrl } from '../helpers/server.js';

describe('dbfast CLI foundation', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbfast-cli-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('prints its version and help with examples', async () => {
    const version = await runCli(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('Exit codes');
  });

  it('a reader that closes the pipe early (`dbfast --help | head -1`) is not an error', async () => {
    const bin = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));
    const result = await execa('sh', ['-c', `node "${bin}" --help | head -1`], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Usage: dbfast [options] [command]');
    expect(result.stderr).not.toContain('EPIPE');
  });

  it('exits 2 on an unknown command or option', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    const json = await runCli(['status', '--nope', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).error.message).toContain("unknown option '--nope'");
  });

  it('status reports config, server, repository and environments (external server)', async () => {
    const temp = await tempProject({
      files: { 'sql/0_schema/a.sql': 'select 1;', 'sql/1_seed/b.sql': 'select 1;' },
      toml: '[environments.local]\ninclude_directories = ["0_schema", "1_seed"]\n[environments.ci]\ninclude_directories = ["0_schema"]\n',
    });
    try {
      const { exitCode, json } = await runCliJson(['status'], { cwd: temp.dir });
      expect(exitCode).toBe(0);
      expect(json.config.path).toBe(join(temp.dir, 'dbfast.toml'));
      expect(json.server).toMatchObject({
        kind: 'external',
        source: 'config',
        reachable: true,
        url: testServerUrl(),
      });
      expect(json.repository.files).toBe(2);
      expect(json.environments).toEqual([
        { name: 'local', files: 2, default: true },
        { name: 'ci', files: 1, default: false },
      ]);
      const text = await runCli(['status'], { cwd: temp.dir });
      expect(text.stdout).toContain('reachable, PostgreSQL');
    } finally {
      await temp.cleanup();
    }
  });

  it('init writes a starter project and refuses to overwrite without --force', async () => {
    const dir = await tempDir();
    const first = await runCli(['init'], { cwd: dir });
    expect(first.exitCode).toBe(0);
    expect(existsSync(join(dir, 'dbfast.toml'))).toBe(true);
    expect(existsSync(join(dir, 'sql/0_schema/001_tables.sql'))).toBe(true);
    await writeFile(join(dir, 'dbfast.toml'), '# mine\n');
    const second = await runCli(['init'], { cwd: dir });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain('Refusing to overwrite existing files');
    expect(second.stderr).toContain('--force');
    expect(await readFile(join(dir, 'dbfast.toml'), 'utf8')).toBe('# mine\n');
    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.exitCode).toBe(0);
  });

  it('shows config errors with their location and exits 2', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'dbfast.toml'),
      '[database]\nurl = "postgres://x@h/d"\nbogus = 1\n[environments.local]\ninclude_directories = [1]\n',
    );
    const result = await runCli(['status'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('has 2 problems');
    expect(result.stderr).toContain('database.bogus (line 3): unknown key');
    expect(result.stderr).toContain(
      'environments.local.include_directories (line 5): expected an array of strings',
    );
  });

  it('an unreachable server gives host:port and a hint, with the password redacted', async () => {
    const dir = await tempDir();
    const result = await runCliJson(['server', 'status'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://me:topsecret@127.0.0.1:1/db' },
    });
    expect(result.json).toMatchObject({
      kind: 'external',
      running: false,
      url: 'postgres://me@127.0.0.1:1/db',
    });
    const status = await runCli(['status'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://me:topsecret@127.0.0.1:1/db' },
    });
    expect(status.exitCode).toBe(1);
    expect(status.stdout).toContain(
      'not reachable: Cannot connect to 127.0.0.1:1: connection refused.',
    );
    expect(status.stdout + status.stderr).not.toContain('topsecret');
    const json = await runCliJson(['status'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://me:topsecret@127.0.0.1:1/db' },
    });
    expect(json.exitCode).toBe(1);
    expect(json.json).toMatchObject({ ok: false, server: { reachable: false, running: true } });
  });

  it('status never starts the embedded server: "embedded, not running", exit 0, no folder', async () => {
    const dir = await tempDir();
    const text = await runCli(['status'], { cwd: dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('embedded, not running');
    expect(text.stderr).toBe('');
    const json = await runCliJson(['status'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    expect(json.json).toMatchObject({
      ok: true,
      server: { kind: 'embedded', running: false, reachable: false },
    });
    expect(json.json.server.url).toBeUndefined();
    expect(existsSync(join(dir, '.dbfast'))).toBe(false);
  });

  it('starts the embedded server once for two concurrent commands, says so once, and stops it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'dbfast.toml'), '[repository]\npath = "./sql"\n');
    const [a, b] = await Promise.all([
      runCliJson(['server', 'start'], { cwd: dir }),
      runCliJson(['server', 'start'], { cwd: dir }),
    ]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(a.json.url).toBe(b.json.url);
    // Exactly one of them started it, and said where it is and how to stop it.
    const serverDir = join(dir, '.dbfast', 'server');
    const lines = `${a.stderr}${b.stderr}`.split('\n').filter((l) => l.includes('embedded'));
    expect(lines).toEqual([
      `Created and started the embedded PostgreSQL server in ${serverDir} (port ${a.json.url.match(/:(\d+)\//)[1]}); it keeps running: stop it with \`dbfast server stop\`.`,
    ]);
    const status = await runCliJson(['status'], { cwd: dir });
    expect(status.json.server).toMatchObject({ kind: 'embedded', running: true, reachable: true });
    expect(Number(status.json.server.version.split('.')[0])).toBeGreaterThanOrEqual(15);
    const url = await runCli(['server', 'url'], { cwd: dir });
    expect(url.stdout.trim()).toBe(a.json.url);
    expect(url.stderr).toBe('');
    const stop = await runCliJson(['server', 'stop'], { cwd: dir });
    expect(stop.json).toMatchObject({ ok: true, stopped: true });
    const after = await runCliJson(['server', 'status'], { cwd: dir });
    expect(after.json).toMatchObject({ kind: 'embedded', running: false });
    // A later start is a start again (not a creation), and says so.
    const again = await runCli(['server', 'url'], { cwd: dir });
    expect(again.stderr).toContain('Started the embedded PostgreSQL server in');
    await runCli(['server', 'stop'], { cwd: dir });
  });
});
