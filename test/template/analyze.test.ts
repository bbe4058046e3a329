import { afterEach, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../../src/index.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';

describe('template statistics', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it("clones start with planner statistics for every user table, whatever its schema's name", async () => {
    temp = await tempProject({
      files: {
        'sql/a.sql': `CREATE TABLE plain (x int);
INSERT INTO plain SELECT g FROM generate_series(1, 500) AS g;
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."t-1" (y text);
INSERT INTO "Odd Schema"."t-1" SELECT 'v' || g FROM generate_series(1, 50) AS g;
CREATE TABLE parted (k int) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
INSERT INTO parted SELECT g FROM generate_series(1, 300) AS g;
`,
      },
    });
    const clone = await cloneDatabase(temp.project, { name: `${temp.prefix}_stats` });
    const rows = await query<{ t: string; n: number }>(
      clone.name,
      `SELECT schemaname || '.' || tablename AS t, count(*)::int AS n FROM pg_stats
        WHERE schemaname IN ('public', 'Odd Schema') GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { t: 'Odd Schema.t-1', n: 1 },
      { t: 'public.parted', n: 1 },
      { t: 'public.parted_1', n: 1 },
      { t: 'public.plain', n: 1 },
    ]);
  });
});
