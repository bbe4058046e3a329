import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/server/connection.js';
import { boundToParent } from '../../src/server/execa.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import {
  backupDatabaseUrl,
  backupServer,
  sampleProject,
  skipBackups,
  snapshot,
} from './backup-server.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));
const SECRET = 'Cli-secret-pw-31337';

describe.skipIf(skipBackups)('dbfast backup / restore through the built CLI', () => {
  const env = { PROD_PW: SECRET };
  const sample = sampleProject({ rows: 100, extra: () => 'password_env = "PROD_PW"\n' });
  const cli = (args: string[]) => runCli(args, { cwd: sample.temp.dir, env });
  const cliJson = (args: string[]) => runCliJson(args, { cwd: sample.temp.dir, env });

  it('backup --remote prod, list, verify, restore, prune: the whole cycle', async () => {
    const first = await cliJson(['backup', '--remote', 'prod', '--label', 'nightly']);
    expect(first.exitCode).toBe(0);
    expect(first.json).toMatchObject({
      ok: true,
      manifest: { database: sample.source, label: 'nightly' },
    });
    const text = await cli(['backup', '--remote', 'prod']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^backup remote\/prod\/\d{8}T\d{6}Z/);
    expect(text.stdout).toContain('verified: checksums recorded');

    const list = await cliJson(['backup', 'list', '--remote', 'prod']);
    expect(list.json.backups).toHaveLength(2);
    expect(list.json.backups.map((b: { verified: string }) => b.verified)).toEqual(['yes', 'yes']);
    const listText = await cli(['backup', 'list']);
    expect(listText.stdout).toMatch(/id\s+source\s+database\s+size\s+age\s+took\s+verified/);

    const verify = await cliJson(['backup', 'verify', '--all']);
    expect(verify.exitCode).toBe(0);
    expect(verify.json.results).toHaveLength(2);

    const copy = `${sample.source}_cli`;
    const restored = await cliJson(['restore', first.json.id, '--to', copy]);
    expect(restored.exitCode).toBe(0);
    expect(await snapshot(copy)).toEqual(await snapshot(sample.source));
    // Replacing it: refused without --yes (no terminal here), done with it.
    const refused = await cli(['restore', first.json.id, '--to', copy]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('Refused');
    const replaced = await cli(['restore', 'prod/latest', '--to', copy, '--yes']);
    expect(replaced.exitCode).toBe(0);
    expect(replaced.stdout).toMatch(/previous database kept as \S+_old_\d{8}T\d{6}Z/);

    const dry = await cliJson(['backup', 'prune', '--keep-last', '1', '--dry-run']);
    expect(dry.json.deleted).toEqual([first.json.id]);
    const noYes = await cli(['backup', 'prune', '--keep-last', '1']);
    expect(noYes.exitCode).toBe(2);
    const pruned = await cliJson(['backup', 'prune', '--keep-last', '1', '--yes']);
    expect(pruned.json.deleted).toEqual([first.json.id]);
    expect((await cliJson(['backup', 'list'])).json.backups).toHaveLength(1);

    // The password is nowhere: not in output, manifests or verification records.
    const outputs = [first, text, list, listText, verify, restored, replaced, dry, pruned]
      .map((r) => r.stdout + r.stderr)
      .join('\n');
    expect(outputs).not.toContain(SECRET);
    const [stamp] = await readdir(join(sample.temp.dir, '.dbfast/backups/remote/prod'));
    const dir = join(sample.temp.dir, '.dbfast/backups/remote/prod', stamp as string);
    for (const file of ['manifest.json', 'verified.json']) {
      expect(await readFile(join(dir, file), 'utf8')).not.toContain(SECRET);
    }
  });

  it('verify exits 1 and names the tampered file', async () => {
    const made = await cliJson(['backup', '--remote', 'prod']);
    const dump = join(made.json.dir, 'dump');
    const bytes = await readFile(dump);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(dump, bytes);
    const result = await cli(['backup', 'verify', made.json.id]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('dump: checksum mismatch');
  });

  it('a protected remote needs --yes and --confirm NAME without a terminal', async () => {
    const extra = `\n[remotes.live]\nurl = "${backupDatabaseUrl(sample.source)}"\nrequire_confirmation = true\n`;
    await writeFile(
      sample.temp.configPath,
      `${await readFile(sample.temp.configPath, 'utf8')}${extra}`,
    );
    const to = `${sample.source}_live`;
    // (the latest backup was tampered with above: make a good one)
    const { id } = (await cliJson(['backup', '--remote', 'prod'])).json;
    const yesOnly = await cli(['restore', id, '--remote', 'live', '--to', to, '--yes']);
    expect(yesOnly.exitCode).toBe(2);
    expect(yesOnly.stderr).toContain('--confirm live');
    const wrong = await cli([
      'restore',
      id,
      '--remote',
      'live',
      '--to',
      to,
      '--yes',
      '--confirm',
      'prod',
    ]);
    expect(wrong.exitCode).toBe(2);
    const ok = await cliJson([
      'restore',
      id,
      '--remote',
      'live',
      '--to',
      to,
      '--yes',
      '--confirm',
      'live',
    ]);
    expect(ok.exitCode).toBe(0);
    expect(ok.json).toMatchObject({ database: to, remote: 'live' });
  });

  it('Ctrl-C during pg_dump kills it and leaves nothing that looks complete', async () => {
    // pg_dump waits for this lock, so the backup is surely running when SIGINT comes.
    const locker = await connect(backupServer(), { database: sample.source });
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    const sourceDir = join(sample.temp.dir, '.dbfast/backups/remote/prod');
    const before = existsSync(sourceDir) ? await readdir(sourceDir) : [];
    try {
      const child = execa('node', [BIN, 'backup', '--remote', 'prod'], {
        cwd: sample.temp.dir,
        env: { ...env, NO_COLOR: '1' },
        reject: false,
      });
      const deadline = Date.now() + 20_000;
      while (!(await readdir(sourceDir)).some((n) => n.startsWith('.partial-'))) {
        if (Date.now() > deadline) throw new Error('the backup never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(String(result.stderr)).toContain('Interrupted');
      expect(await readdir(sourceDir)).toEqual(before);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });

  it('SIGKILL of dbfast during pg_dump takes pg_dump with it (Linux, setpriv)', async (ctx) => {
    const guarded = boundToParent('pg_dump', [])[0] !== 'pg_dump';
    if (!guarded) {
      const reason =
        'no util-linux setpriv here: a SIGKILLed dbfast cannot take its children along';
      if (process.env.CI) throw new Error(reason);
      console.warn(`skipped: ${reason}`);
      ctx.skip();
    }
    // pg_dump waits for this lock, so it is surely running when dbfast is killed.
    const locker = await connect(backupServer(), { database: sample.source });
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    try {
      const child = execa('node', [BIN, 'backup', '--remote', 'prod'], {
        cwd: sample.temp.dir,
        env: { ...env, NO_COLOR: '1' },
        reject: false,
      });
      const deadline = Date.now() + 20_000;
      let dumps = await childProcesses(child.pid, 'pg_dump');
      while (dumps.length === 0) {
        if (Date.now() > deadline) throw new Error('pg_dump never started');
        await new Promise((r) => setTimeout(r, 50));
        dumps = await childProcesses(child.pid, 'pg_dump');
      }
      child.kill('SIGKILL');
      await child;
      // The server would not notice: its backend waits for the lock, not for the socket.
      // The process itself must be gone (or a zombie awaiting its reaper).
      const gone = Date.now() + 10_000;
      while (await anyAlive(dumps)) {
        if (Date.now() > gone) throw new Error('pg_dump outlived the SIGKILLed dbfast');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // The partial folder it left is the next command's to remove.
    const gc = await cli(['gc', '--yes']);
    expect(gc.exitCode).toBe(0);
    const sourceDir = join(sample.temp.dir, '.dbfast/backups/remote/prod');
    expect((await readdir(sourceDir)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });
});

/** Pids of the children of `parent` whose command name is `name` (Linux /proc). */
async function childProcesses(parent: number | undefined, name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (status.includes(`\nPPid:\t${parent}\n`) && status.startsWith(`Name:\t${name}\n`))
      pids.push(Number(entry));
  }
  return pids;
}

/** Whether any of the processes still runs (a zombie has ended). */
async function anyAlive(pids: number[]): Promise<boolean> {
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    if (status !== '' && !/\nState:\tZ/.test(status)) return true;
  }
  return false;
}
