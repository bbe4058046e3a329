import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/server/connection.js';
import {
  type BackupProject,
  backupProject,
  backupServer,
  createSampleDatabase,
  dropOnBackupServer,
  skipBackups,
} from '../backup/backup-server.js';
import { runCli } from '../helpers/cli.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

describe.skipIf(skipBackups)('unfinished backup folders (on the backup test server)', () => {
  let source: string;
  let temp: BackupProject;
  beforeAll(async () => {
    source = await createSampleDatabase(20);
    temp = await backupProject(source);
  });
  afterAll(async () => {
    await dropOnBackupServer(source);
    await temp?.cleanup();
  });

  it('a backup killed with SIGKILL leaves a .partial folder that gc removes; one of a live process stays', async () => {
    const sourceDir = join(temp.dir, '.dbfast/backups/remote/prod');
    // pg_dump waits for this lock, so the backup is surely running when it is killed.
    const locker = await connect(backupServer(), { database: source });
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    try {
      const child = execa('node', [BIN, 'backup', '--remote', 'prod'], {
        cwd: temp.dir,
        reject: false,
      });
      const deadline = Date.now() + 20_000;
      const partials = async (): Promise<string[]> =>
        existsSync(sourceDir)
          ? (await readdir(sourceDir)).filter((n) => n.startsWith('.partial-'))
          : [];
      while ((await partials()).length === 0) {
        if (Date.now() > deadline) throw new Error('the backup never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await child;
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // A partial folder of a process that is alive (this one) is not touched.
    const live = join(sourceDir, '.partial-live');
    await mkdir(live);
    await writeFile(
      join(live, 'owner.json'),
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
    );
    expect((await readdir(sourceDir)).filter((n) => n.startsWith('.partial-'))).toHaveLength(2);
    const dry = await runCli(['gc', '--dry-run', '--json'], { cwd: temp.dir });
    expect(JSON.parse(dry.stdout).dropped).toEqual([
      expect.objectContaining({
        kind: 'backup',
        name: expect.stringMatching(/^remote\/prod\/\.partial-/),
      }),
    ]);
    const gc = await runCli(['gc', '--yes'], { cwd: temp.dir });
    expect(gc.exitCode).toBe(0);
    expect((await readdir(sourceDir)).filter((n) => n.startsWith('.partial-'))).toEqual([
      '.partial-live',
    ]);
  });
});
