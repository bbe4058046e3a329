import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;

describe('the embedded server as root', () => {
  // Only root runs the server as another OS user; as anyone else there is nothing to reach.
  it.skipIf(!root)(
    'in a project folder its OS user cannot reach (0700 parent): a clear error naming the folder, then it works once opened',
    async () => {
      const closed = await mkdtemp(join(tmpdir(), 'dbfast-closed-'));
      try {
        expect((await stat(closed)).mode & 0o777).toBe(0o700);
        const project = join(closed, 'app');
        await mkdir(join(project, 'sql'), { recursive: true });
        await writeFile(join(project, 'dbfast.toml'), '[repository]\npath = "./sql"\n');
        const refused = await runCli(['server', 'start'], { cwd: project });
        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toContain('cannot reach');
        expect(refused.stderr).toContain(`${closed} (mode 0700)`);
        expect(refused.stderr).toContain(`chmod o+x ${closed}`);
        expect(refused.stderr).not.toContain('this is a bug');
        // The fix the hint gives works.
        await chmod(closed, 0o701);
        const started = await runCli(['server', 'start'], { cwd: project });
        expect(started.stderr).not.toContain('error');
        expect(started.exitCode).toBe(0);
        const stopped = await runCli(['server', 'stop'], { cwd: project });
        expect(stopped.exitCode).toBe(0);
      } finally {
        await rm(closed, { recursive: true, force: true });
      }
    },
    120_000,
  );
  if (!root) console.log('skipped: the OS-user folder check applies only when dbfast runs as root');
});
