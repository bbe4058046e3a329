import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addRemote, removeRemote, urlHasPassword } from '../../src/remote/edit.js';
import { appendRemoteTable, removeRemoteTable, tableHeader } from '../../src/remote/toml-edit.js';
import { runCli, runCliJson } from '../helpers/cli.js';

/** A dbfast.toml with comments, odd spacing and a remote in the middle. */
const ORIGINAL = `# Team config — keep the comments!
[database]
url = "postgres://postgres@127.0.0.1:5432/postgres"   # local server
template_name = "shop"

[environments.local]
include_directories = ["0_schema"]  # schema only

[environments.production]

[remotes.staging]
url = "postgres://app@staging.internal/app"
# the password lives in the CI secret store
password_env = "STAGING_PW"

# Backups are kept a month.
[backups]
keep_last = 10
`;

describe('remote add / remove (dbfast.toml text edits)', () => {
  const dirs: string[] = [];
  const project = async (text = ORIGINAL) => {
    const dir = await mkdtemp(join(tmpdir(), 'dbfast-remote-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    await writeFile(join(dir, 'dbfast.toml'), text);
    return { dir, path: join(dir, 'dbfast.toml') };
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('add then remove gives back the file byte for byte', async () => {
    const { path } = await project();
    const added = await addRemote({
      configPath: path,
      name: 'prod',
      url: 'postgres://deploy@db.example.com:5432/app',
      passwordEnv: 'PROD_PW',
      environment: 'production',
      requireConfirmation: true,
      env: {},
    });
    expect(added).toMatchObject({ name: 'prod', host: 'db.example.com', passwordSet: false });
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(ORIGINAL)).toBe(true);
    expect(text.slice(ORIGINAL.length)).toBe(
      '\n[remotes.prod]\nurl = "postgres://deploy@db.example.com:5432/app"\npassword_env = "PROD_PW"\nenvironment = "production"\nrequire_confirmation = true\n',
    );
    await removeRemote({ configPath: path, name: 'prod' });
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
  });

  it('removes exactly a table in the middle, keeping the comment of the next one', () => {
    const removed = removeRemoteTable(ORIGINAL, 'staging');
    expect(removed).toBe(
      ORIGINAL.replace(
        '[remotes.staging]\nurl = "postgres://app@staging.internal/app"\n# the password lives in the CI secret store\npassword_env = "STAGING_PW"\n\n',
        '',
      ),
    );
    expect(removeRemoteTable(ORIGINAL, 'nope')).toBeUndefined();
    expect(tableHeader(' [ remotes . "a.b" ]  # x\n')).toEqual(['remotes', 'a.b']);
    expect(tableHeader('[[array]]\n')).toBeUndefined();
    // CRLF files stay CRLF.
    const crlf = appendRemoteTable('a = 1\r\n', { name: 'x', url: 'postgres://h/d' });
    expect(crlf).toBe('a = 1\r\n\r\n[remotes.x]\r\nurl = "postgres://h/d"\r\n');
  });

  it('refuses an existing name, a password in the URL and an unknown environment', async () => {
    const { dir, path } = await project();
    const exists = await runCli(['remote', 'add', 'staging', 'postgres://x@h/d'], { cwd: dir });
    expect(exists.exitCode).toBe(2);
    expect(exists.stderr).toContain('Remote "staging" already exists');
    const secret = 'hunter2-in-url';
    const withPw = await runCli(['remote', 'add', 'p', `postgres://u:${secret}@h/d`], { cwd: dir });
    expect(withPw.exitCode).toBe(2);
    expect(withPw.stderr).toContain('contains a password');
    expect(withPw.stderr).toContain('--password-env');
    expect(withPw.stderr).not.toContain(secret);
    expect(urlHasPassword('postgres://h/d?password=x')).toBe(true);
    expect(urlHasPassword('postgres://user@h:5432/d')).toBe(false);
    const badEnv = await runCli(['remote', 'add', 'q', 'postgres://u@h/d', '--environment', 'qa'], {
      cwd: dir,
    });
    expect(badEnv.exitCode).toBe(2);
    expect(badEnv.stderr).toContain('no environment "qa"');
    const bad = await runCli(['remote', 'add', 'a b', 'postgres://u@h/d'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
  });

  it('through the CLI: add, list (no password), remove', async () => {
    const { dir, path } = await project();
    const add = await runCliJson(
      ['remote', 'add', 'prod', 'postgres://deploy@db.example.com/app', '--password-env', 'PW'],
      { cwd: dir },
    );
    expect(add.exitCode).toBe(0);
    const list = await runCliJson(['remote', 'list'], { cwd: dir, env: { PW: 'pw-secret-9' } });
    expect(list.json.remotes.map((r: { name: string }) => r.name)).toEqual(['staging', 'prod']);
    expect(list.json.remotes[1]).toMatchObject({ passwordEnv: 'PW', passwordSet: true });
    expect(list.stdout).not.toContain('pw-secret-9');
    const text = await runCli(['remote', 'list'], { cwd: dir });
    expect(text.stdout).toMatch(/prod\s+db\.example\.com:5432\s+app\s+deploy/);
    const remove = await runCli(['remote', 'remove', 'prod'], { cwd: dir });
    expect(remove.exitCode).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
    const again = await runCli(['remote', 'remove', 'prod'], { cwd: dir });
    expect(again.exitCode).toBe(2);
  });
});
