import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetadata } from '../../src/catalog/label.js';
import { collectGarbage, createDbfast, DEFAULT_CLONE_TTL_MS } from '../../src/index.js';
import { withClient } from '../../src/server/connection.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query, testServer } from '../helpers/server.js';
import { ROOT, runFixtureVitest } from '../helpers/vitest-run.js';

/** A per-file test whose LAST hook (registered first: 'stack' order) records open sockets. */
const fixture = (label: string) => `
import { appendFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { useTestDatabase } from '${ROOT}dist/vitest/index.js';

afterAll(async () => {
  await new Promise((r) => setTimeout(r, 100));
  const sockets = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  appendFileSync(process.env.DBFAST_FIXTURE_OUT, '${label} sockets ' + sockets + '\\n');
});

const db = useTestDatabase({ per: 'file' });

it('${label} has a database', () => {
  expect(db.name).toBeTruthy();
  appendFileSync(process.env.DBFAST_FIXTURE_OUT, '${label} db ' + db.name + '\\n');
});
`;

describe('test clones', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('library clones carry a default ttl and the run label, so gc collects what a crashed run left', async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE t (x int);\n' } });
    const config = `${temp.dir}/dbfast.toml`;
    const dbfast = await createDbfast({ configPath: config, env: {} });
    const kept = await dbfast.clone();
    const label = await withClient(testServer(), (c) => readMetadata(c, kept.name));
    expect(label).toMatchObject({ dbfast: 'clone', ttlMs: DEFAULT_CLONE_TTL_MS, run: dbfast.run });
    await dbfast.close();
    // A run that "crashed": its clones are never dropped; a short ttl lets gc see it now.
    const crashed = await createDbfast({ configPath: config, env: {}, cloneTtlMs: 1 });
    const leaked = await crashed.clone();
    await crashed.close();
    await new Promise((r) => setTimeout(r, 20));
    const gc = await collectGarbage(temp.reopen());
    expect(gc.dropped.map((d) => d.name)).toEqual([leaked.name]);
    await kept.drop();
  });

  it("useTestDatabase({ per: 'file' }) under vitest's default hook order drops, then closes, leaving no connection", async () => {
    temp = await tempProject({ files: { 'sql/a.sql': 'CREATE TABLE t (x int);\n' } });
    const out = `${temp.dir}/out.txt`;
    // No sequence.hooks setting: vitest's default order.
    const files = { 'a.test.mjs': fixture('a'), 'b.test.mjs': fixture('b') };
    const run = await runFixtureVitest(temp, files, out);
    expect(run.exitCode, run.output).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').sort();
    expect(lines.filter((l) => l.includes('sockets'))).toEqual(['a sockets 0', 'b sockets 0']);
    const names = lines.filter((l) => l.includes(' db ')).map((l) => l.split(' ')[2]);
    expect(names).toHaveLength(2);
    expect(
      await query('postgres', 'SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]),
    ).toEqual([]);
  });
});
