import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { workPrefix } from '../../src/catalog/work.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

/** Wait until the repository's slow file runs in a scratch database of the project. */
async function untilSlowFileRuns(prefix: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const rows = await query(
      'postgres',
      "SELECT 1 FROM pg_stat_activity WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p)) AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
      [[prefix, workPrefix(prefix)]],
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the slow file never ran');
}

async function databasesOf(prefix: string): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    'postgres',
    'SELECT datname FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p))',
    [[prefix, workPrefix(prefix)]],
  );
  return rows.map((r) => r.datname);
}

describe('Ctrl-C and SIGTERM remove what the command created', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  const cases: [string, (prefix: string) => string[], NodeJS.Signals][] = [
    ['template build', () => ['template', 'build'], 'SIGINT'],
    ['seed', (prefix) => ['seed', '--output', `${prefix}_seeded`], 'SIGINT'],
    ['clone', (prefix) => ['clone', `${prefix}_cloned`], 'SIGTERM'],
  ];
  for (const [command, args, signal] of cases) {
    it(`${command}: ${signal} during the build exits 130 and leaves no database`, async () => {
      temp = await tempProject({
        files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n', 'sql/b.sql': 'SELECT pg_sleep(60);\n' },
      });
      const child = execa('node', [BIN, ...args(temp.prefix)], {
        cwd: temp.dir,
        reject: false,
        env: { NO_COLOR: '1' },
      });
      await untilSlowFileRuns(temp.prefix);
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(String(result.stderr)).toContain('Interrupted');
      expect(String(result.stderr)).not.toContain('this is a bug');
      expect(String(result.stderr)).not.toMatch(/b\.sql:\d+:\d+/);
      expect(await databasesOf(temp.prefix)).toEqual([]);
    });
  }

  it('watch: Ctrl-C during the first build stops cleanly, reports no error and leaves no scratch database', async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n', 'sql/b.sql': 'SELECT pg_sleep(60);\n' },
    });
    const child = execa('node', [BIN, 'watch'], {
      cwd: temp.dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    await untilSlowFileRuns(temp.prefix);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toContain('stopped');
    expect(`${result.stdout}${result.stderr}`).not.toContain('error');
    expect(await databasesOf(temp.prefix)).toEqual([]);
  });
});
