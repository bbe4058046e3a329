import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { EXAMPLE_ENVIRONMENTS, exampleFiles } from '../helpers/example.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';

describe('dbfast seed, clone, list, drop, template, pool, gc (built CLI)', () => {
  let temp: TempProject;
  beforeAll(async () => {
    temp = await tempProject({ files: exampleFiles(), toml: EXAMPLE_ENVIRONMENTS });
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('seed builds the template, creates the database and prints each step and the URL', async () => {
    const result = await runCli(['seed', '--output', `${temp.prefix}_demo`], { cwd: temp.dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^template {2}\S+_local_[0-9a-f]{12}: built in /m);
    expect(result.stdout).toMatch(
      new RegExp(`^database  ${temp.prefix}_demo: cloned \\([\\w+]+\\) in `, 'm'),
    );
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^postgres://\\S+/${temp.prefix}_demo$`),
    );
    expect(await query(`${temp.prefix}_demo`, 'SELECT count(*)::int AS n FROM customer')).toEqual([
      { n: 2000 },
    ]);
  });

  it('clone prints only the URL, JSON has name, url, template, strategy and timings; an existing name exits 2', async () => {
    const text = await runCli(['clone', `${temp.prefix}_c1`], { cwd: temp.dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout.trim()).toMatch(new RegExp(`^postgres://\\S+/${temp.prefix}_c1$`));
    const json = await runCliJson(['clone', `${temp.prefix}_c2`, '--env', 'test'], {
      cwd: temp.dir,
    });
    expect(json.json).toMatchObject({
      ok: true,
      name: `${temp.prefix}_c2`,
      env: 'test',
      strategy: expect.any(String),
      timings: { createMs: expect.any(Number) },
    });
    const again = await runCli(['clone', `${temp.prefix}_c1`], { cwd: temp.dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`error: Database "${temp.prefix}_c1" already exists.`);
    expect(again.stderr).toContain('--force');
    const bad = await runCli(['clone', 'x'.repeat(70)], { cwd: temp.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('is 70 bytes long; PostgreSQL allows at most 63');
  });

  it('list shows the clones; drop refuses without --yes when there is no terminal, and drops with it', async () => {
    const list = await runCliJson(['list'], { cwd: temp.dir });
    expect(list.json.clones.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining([`${temp.prefix}_demo`, `${temp.prefix}_c1`]),
    );
    const refused = await runCli(['drop', `${temp.prefix}_c1`], { cwd: temp.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('needs confirmation, and there is no terminal to ask on');
    const dropped = await runCliJson(['drop', `${temp.prefix}_c1`, '--yes'], { cwd: temp.dir });
    expect(dropped.json).toMatchObject({ ok: true, dropped: [`${temp.prefix}_c1`] });
    const notOurs = await runCli(['drop', 'postgres_not_ours_x', '--yes'], { cwd: temp.dir });
    expect(notOurs.exitCode).toBe(0);
    expect(notOurs.stdout).toContain('not found: postgres_not_ours_x');
  });

  it('template status --why names the changed file; template list shows current and stale', async () => {
    await temp.write(
      'sql/2_seed_dev/003_more.sql',
      "INSERT INTO country VALUES ('IT', 'Italy');\n",
    );
    const status = await runCli(['template', 'status', '--why'], { cwd: temp.dir });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('stale: the current template would be');
    expect(status.stdout).toContain('added: 2_seed_dev/003_more.sql');
    const build = await runCliJson(['template', 'build'], { cwd: temp.dir });
    expect(build.json).toMatchObject({ built: true, reasons: ['added: 2_seed_dev/003_more.sql'] });
    const list = await runCliJson(['template', 'list'], { cwd: temp.dir });
    expect(
      list.json.templates.filter(
        (t: { current: boolean; env: string }) => t.current && t.env === 'local',
      ),
    ).toHaveLength(1);
    expect(
      list.json.templates.filter((t: { current: boolean }) => !t.current).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('gc --dry-run lists, gc without --yes refuses, gc --yes drops', async () => {
    const dry = await runCliJson(['gc', '--dry-run', '--keep', '0', '--unused-for', '0s'], {
      cwd: temp.dir,
    });
    expect(dry.json.dropped.some((d: { kind: string }) => d.kind === 'template')).toBe(true);
    const refused = await runCli(['gc', '--keep', '0', '--unused-for', '0s'], { cwd: temp.dir });
    expect(refused.exitCode).toBe(2);
    const done = await runCliJson(['gc', '--keep', '0', '--unused-for', '0s', '--yes'], {
      cwd: temp.dir,
    });
    expect(done.json.dropped.length).toBe(dry.json.dropped.length);
    const bad = await runCli(['gc', '--older-than', 'soon'], { cwd: temp.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      '--older-than expects a duration such as 90s, 15m, 2h or 7d, got "soon".',
    );
  });

  it('pool fill, status, a claim through clone, and drain', async () => {
    await temp.write(
      'dbfast.toml',
      `${(await import('node:fs')).readFileSync(`${temp.dir}/dbfast.toml`, 'utf8')}\n[pool]\nsize = 2\n`,
    );
    const fill = await runCliJson(['pool', 'fill', '--env', 'test'], { cwd: temp.dir });
    expect(fill.json).toMatchObject({ ok: true, env: 'test', size: 2, ready: 2 });
    const claim = await runCliJson(['clone', `${temp.prefix}_pooled`, '--env', 'test'], {
      cwd: temp.dir,
    });
    expect(claim.json.fromPool).toMatch(/_p[0-9a-f]{8}$/);
    const members = async () =>
      (
        await query<{ datname: string }>(
          'postgres',
          'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
          [`${fill.json.template}_p`],
        )
      ).map((r) => r.datname);
    // The claimed member became the clone; the clone refilled the pool in the background.
    const deadline = Date.now() + 30_000;
    while ((await members()).length < 2) {
      if (Date.now() > deadline) throw new Error('the pool was never refilled');
      await new Promise((r) => setTimeout(r, 100));
    }
    const left = await members();
    expect(left).toHaveLength(2);
    expect(left).not.toContain(claim.json.fromPool);
    const status = await runCliJson(['pool', 'status'], { cwd: temp.dir });
    expect(status.json.environments.find((e: { env: string }) => e.env === 'test')).toEqual({
      env: 'test',
      size: 2,
      min: 2,
      max: 2,
      target: 2,
      template: fill.json.template,
      ready: 2,
      stale: 0,
    });
    const text = await runCli(['pool', 'status'], { cwd: temp.dir });
    expect(text.stdout).toMatch(new RegExp(`test\\s+2\\s+2\\s+0\\s+${fill.json.template}`));
    const refused = await runCli(['pool', 'drain'], { cwd: temp.dir });
    expect(refused.exitCode).toBe(2);
    expect(await members()).toEqual(left);
    const drain = await runCliJson(['pool', 'drain', '--yes'], { cwd: temp.dir });
    expect(drain.json.ok).toBe(true);
    expect([...drain.json.dropped].sort()).toEqual(left);
    expect(await members()).toEqual([]);
    // The claimed clone is the user's now: draining the pool leaves it alone.
    expect(await query(`${temp.prefix}_pooled`, 'SELECT 1 AS x')).toEqual([{ x: 1 }]);
    const after = await runCliJson(['pool', 'status'], { cwd: temp.dir });
    expect(after.json.environments.find((e: { env: string }) => e.env === 'test')?.ready).toBe(0);
  });
});
