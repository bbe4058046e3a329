import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCommand, listCommand, restoreCommand } from '../../src/backup/commands.js';
import {
  compressionArgs,
  compressionMinMajor,
  parseCompression,
} from '../../src/backup/compression.js';
import { connectionArgs } from '../../src/backup/exec.js';
import { DbfastError } from '../../src/errors.js';
import { findPgTool, type PgTool, parseToolVersion } from '../../src/server/pg-tools.js';

/** A fake pg tool: a shell script that prints a version, in its own folder. */
async function fakeTool(root: string, folder: string, name: string, version: string) {
  const dir = join(root, folder);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho "${name} (PostgreSQL) ${version}"\n`);
  await chmod(path, 0o755);
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<DbfastError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DbfastError);
  return error as DbfastError;
}

describe('pg tools', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dbfast-tools-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads pg_dump --version output, Debian suffixes and betas included', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toEqual({
      version: '15.20',
      major: 15,
    });
    expect(parseToolVersion('pg_restore (PostgreSQL) 18beta1')).toEqual({
      version: '18beta1',
      major: 18,
    });
    expect(parseToolVersion('nonsense')).toBeUndefined();
  });

  it('takes the first tool in precedence order whose major is new enough', async () => {
    const old = await fakeTool(root, 'old', 'pg_dump', '13.4');
    const fresh = await fakeTool(root, 'fresh', 'pg_dump', '17.2');
    const env = { PATH: fresh };
    // bin_dir comes first, but 13 cannot dump a 16 server: the PATH's 17 is chosen.
    const tool = await findPgTool('pg_dump', [{ major: 16, purpose: 'dump it' }], {
      binDir: old,
      env,
    });
    expect(tool).toMatchObject({ path: join(fresh, 'pg_dump'), major: 17, source: 'PATH' });
    // When bin_dir's tool is good enough, it wins over the PATH.
    const first = await findPgTool('pg_dump', [{ major: 12, purpose: 'dump it' }], {
      binDir: old,
      env,
    });
    expect(first).toMatchObject({ major: 13, source: 'server.bin_dir' });
    const fromPgBin = await findPgTool('pg_dump', [], { env: { PG_BIN: old, PATH: '' } });
    expect(fromPgBin.source).toBe('PG_BIN');
  });

  it('says which version is needed and how to install it when every tool is too old', async () => {
    const old = await fakeTool(root, 'older', 'pg_dump', '15.20');
    const error = await failure(
      findPgTool('pg_dump', [{ major: 18, purpose: 'dump PostgreSQL 18.1 at db:5432' }], {
        binDir: old,
        env: { PATH: '' },
      }),
    );
    expect(error.code).toBe('pgtool.too_old');
    expect(error.message).toContain(
      'pg_dump 15.20 cannot dump PostgreSQL 18.1 at db:5432 (needs pg_dump 18 or newer)',
    );
    expect(error.hint).toContain('apt-get install postgresql-client-18');
  });

  it('knows lz4 and zstd need pg_dump 16, and how each pg_dump spells compression', () => {
    expect(parseCompression('zstd:3')).toEqual({ method: 'zstd', level: 3 });
    expect(compressionMinMajor(parseCompression('lz4'))).toBe(16);
    expect(compressionMinMajor(parseCompression('gzip:9'))).toBe(0);
    expect(compressionArgs(parseCompression('gzip:9'), 15)).toEqual(['-Z', '9']);
    expect(compressionArgs(parseCompression('gzip:9'), 16)).toEqual(['--compress=gzip:9']);
    expect(compressionArgs(parseCompression('none'), 17)).toEqual(['-Z', '0']);
    expect(() => parseCompression('brotli')).toThrow(/not a compression method/);
    expect(() => parseCompression('gzip:12')).toThrow(/out of range/);
  });

  it('puts the password in the environment, never among the arguments', () => {
    const password = 'pw-Only-In-Env-42';
    const params = { host: 'db.example.com', port: 5433, user: 'deploy', password, database: 'x' };
    const tool: PgTool = {
      name: 'pg_dump',
      path: '/usr/bin/pg_dump',
      version: '15.20',
      major: 15,
      source: 'PATH',
    };
    const settings = { format: 'directory' as const, jobs: 4, compression: undefined };
    const dump = dumpCommand(tool, params, 'app', '/tmp/out', settings);
    const restore = restoreCommand({ ...tool, name: 'pg_restore' }, params, 'app_new', '/a', {
      jobs: 2,
      noAcl: true,
    });
    for (const command of [dump, restore]) {
      expect(command.args.join(' ')).not.toContain(password);
      expect(command.env.PGPASSWORD).toBe(password);
      expect(command.args).toContain('--no-password');
    }
    expect(dump.args).toEqual(expect.arrayContaining(['-Fd', '-j', '4', '-h', 'db.example.com']));
    expect(restore.args).toEqual(
      expect.arrayContaining(['--no-owner', '--exit-on-error', '--no-acl', '-j', '2']),
    );
    expect(listCommand(tool, '/a').env).toEqual({});
  });

  it('quotes the database name so it can never be read as connection options', () => {
    const params = { host: 'h', port: 5432, user: 'u', database: 'x', sslmode: 'require' };
    const args = connectionArgs(params, "evil' host=attacker x\\");
    expect(args.slice(-2)).toEqual([
      '-d',
      "dbname='evil\\' host=attacker x\\\\' sslmode='require'",
    ]);
  });
});
