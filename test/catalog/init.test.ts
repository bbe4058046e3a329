import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { nameFromFolder } from '../../src/services/init.js';
import { runCli } from '../helpers/cli.js';

/** "What was seen" 2 and 6 of the ownership issue: `app` for everyone, `.dbfast/` in git. */
describe('dbfast init', () => {
  it('names the project after its folder and keeps .dbfast/ out of git', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'dbfast-init-'));
    const dir = join(parent, 'My Shop-2');
    await mkdir(dir);
    try {
      const result = await runCli(['init'], { cwd: dir });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('Wrote .dbfast/.gitignore: git ignores .dbfast/');
      const toml = await readFile(join(dir, 'dbfast.toml'), 'utf8');
      expect(toml).toContain('[project]\n');
      expect(toml).toContain('name = "my_shop_2"');
      expect(toml).toContain('template_name = "my_shop_2"');
      expect(await readFile(join(dir, '.dbfast/.gitignore'), 'utf8')).toBe('*\n');
      // What a day of use leaves there (server data, dumps of remotes) never shows in git.
      await execa('git', ['init', '-q'], { cwd: dir });
      await mkdir(join(dir, '.dbfast/server/data'), { recursive: true });
      await mkdir(join(dir, '.dbfast/backups/remote/prod/20250101T000000Z'), { recursive: true });
      await writeFile(join(dir, '.dbfast/server/data/PG_VERSION'), '18\n');
      await writeFile(join(dir, '.dbfast/backups/remote/prod/20250101T000000Z/dump'), 'x');
      const status = await execa('git', ['status', '--porcelain', '--untracked-files=all'], {
        cwd: dir,
      });
      expect(status.stdout).not.toContain('.dbfast');
      expect(status.stdout).toContain('dbfast.toml');
      // A user's own .dbfast/.gitignore is left alone (and init does not count it as a conflict).
      await writeFile(join(dir, '.dbfast/.gitignore'), '# mine\n*\n');
      const again = await runCli(['init', '--force'], { cwd: dir });
      expect(again.exitCode).toBe(0);
      expect(await readFile(join(dir, '.dbfast/.gitignore'), 'utf8')).toBe('# mine\n*\n');
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('derives a template_name that fits and is never empty', () => {
    expect(nameFromFolder('/x/Über Café')).toBe('ber_caf');
    expect(nameFromFolder('/x/!!!')).toBe('app');
    expect(Buffer.byteLength(nameFromFolder(`/x/${'a'.repeat(80)}`))).toBeLessThanOrEqual(26);
  });
});
