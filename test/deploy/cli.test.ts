import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBackups } from '../backup/backup-server.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { type DeployProject, deployProject } from './project.js';

describe.skipIf(skipBackups)('dbfast deploy through the built CLI (backup test server)', () => {
  let temp: DeployProject;
  beforeAll(async () => {
    temp = await deployProject();
  });
  afterAll(async () => {
    await temp?.cleanup();
  });
  const cli = (args: string[]) => runCli(args, { cwd: temp.dir });
  const cliJson = (args: string[]) => runCliJson(args, { cwd: temp.dir });

  it('--dry-run prints the plan and changes nothing', async () => {
    await temp.configure('allow_destructive = true');
    const text = await cli(['deploy', '--remote', 'prod', '--dry-run']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      `deploy plan: environment staging -> ${temp.live} on remote prod`,
    );
    expect(text.stdout).toMatch(/build template \S+ \(missing or stale\)/);
    expect(text.stdout).toContain('no backup (the database does not exist yet)');
    expect(text.stdout).toContain(`create ${temp.live}`);
    const json = await cliJson(['deploy', '--remote', 'prod', '--dry-run']);
    expect(json.json).toMatchObject({
      ok: true,
      dryRun: true,
      plan: { remote: 'prod', env: 'staging', exists: false, backup: false },
    });
    expect(
      (await temp.sql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${temp.live}'`))
        .length,
    ).toBe(0);
  });

  it('deploys, then refuses to replace without --yes (exit 2), then replaces with it', async () => {
    const first = await cliJson(['deploy', '--remote', 'prod']);
    expect(first.exitCode).toBe(0);
    expect(first.json).toMatchObject({ ok: true, database: temp.live, tables: 2, rows: 1200 });

    const refused = await cli(['deploy', '--remote', 'prod']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('needs confirmation, and there is no terminal to ask on');

    const plan = await cli(['deploy', '--remote', 'prod', '--dry-run']);
    expect(plan.stdout).toContain(`back up ${temp.live} first, and verify the backup`);
    expect(plan.stdout).toContain('needs --yes');

    const replaced = await cli(['deploy', '--remote', 'prod', '--yes']);
    expect(replaced.exitCode).toBe(0);
    expect(replaced.stdout).toMatch(/backup first: remote\/prod\/\S+ \(verified\)/);
    expect(replaced.stdout).toMatch(new RegExp(`previous database kept as ${temp.live}_old_`));
    expect(replaced.stdout).toMatch(/undo: ALTER DATABASE .* RENAME TO .*; ALTER DATABASE/);
  });

  it('every protection refuses with exit code 2', async () => {
    await temp.configure('allow_destructive = false');
    const notAllowed = await cli(['deploy', '--remote', 'prod', '--yes']);
    expect(notAllowed.exitCode).toBe(2);
    expect(notAllowed.stderr).toContain('allow_destructive is false');
    const plan = await cli(['deploy', '--remote', 'prod', '--dry-run']);
    expect(plan.stdout).toContain('REFUSED: allow_destructive is false');

    await temp.configure('allow_destructive = true\nrequire_confirmation = true');
    const untyped = await cli(['deploy', '--remote', 'prod', '--yes']);
    expect(untyped.exitCode).toBe(2);
    expect(untyped.stderr).toContain('--yes --confirm prod');
    const wrong = await cli(['deploy', '--remote', 'prod', '--yes', '--confirm', 'staging']);
    expect(wrong.exitCode).toBe(2);
    const ok = await cliJson([
      'deploy',
      '--remote',
      'prod',
      '--yes',
      '--confirm',
      'prod',
      '--no-backup',
    ]);
    expect(ok.exitCode).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, database: temp.live });
    expect(ok.json.backup).toBeUndefined();

    const unknown = await cli(['deploy', '--remote', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('No remote "nope"');
  });

  it('an invalid environment stops the deploy before anything happens', async () => {
    await temp.configure(
      'allow_destructive = true',
      '[environments.broken]\ninclude_directories = ["no_such_dir"]\n',
    );
    const result = await cli(['deploy', '--remote', 'prod', '--env', 'broken', '--yes']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Environment "broken" has 2 errors');
    expect(result.stderr).toContain('"no_such_dir" does not exist');
  });
});
