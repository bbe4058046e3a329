import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A migration tool's folder found in a project, and what gave it away. */
export interface DetectedLayout {
  /** The `[repository] type`. */
  type: string;
  /** The migrations folder, relative to the project folder (`/`-separated). */
  path: string;
  /** What was found, for `dbfast init` to say. */
  evidence: string;
}

/** Folders where projects keep SQL migrations, most specific first. */
const MIGRATION_DIRS = [
  'db/migrations',
  'migrations',
  'db/migrate',
  'sql/migrations',
  'database/migrations',
  'internal/db/migrations',
  'db/migration',
  'src/main/resources/db/migration',
];

/** Markers inside SQL files, checked in this order on the files of one folder. */
const MARKERS: Array<{ type: string; test: RegExp; what: string }> = [
  { type: 'goose', test: /^--\s*\+goose\s+up\b/im, what: '"-- +goose Up" annotations' },
  { type: 'dbmate', test: /^--\s*migrate:up\b/m, what: '"-- migrate:up" sections' },
  {
    type: 'node-pg-migrate',
    test: /^\s*--[\s-]*up\s+migration/im,
    what: '"-- Up Migration" comments',
  },
];

/**
 * The migration tool whose folder `dir` holds, if any: Prisma (`prisma/migrations`),
 * Supabase (`supabase/migrations`), Drizzle (a `meta/_journal.json`), graphile-migrate
 * (`.gmrc` or `migrations/committed`), Sqitch (`sqitch.plan`), then the usual migrations
 * folders by their files: golang-migrate (`*.up.sql`), Flyway (`V1__*.sql`), goose, dbmate
 * and node-pg-migrate (by their markers). Reads a few small files; never writes.
 */
export async function detectLayout(dir: string): Promise<DetectedLayout | undefined> {
  const has = (path: string) => existsSync(join(dir, path));
  if (has('prisma/migrations'))
    return { type: 'prisma', path: 'prisma/migrations', evidence: 'prisma/migrations/' };
  if (has('supabase/migrations'))
    return { type: 'supabase', path: 'supabase/migrations', evidence: 'supabase/migrations/' };
  for (const candidate of ['drizzle', 'migrations', 'src/db/migrations', 'db/migrations']) {
    if (has(`${candidate}/meta/_journal.json`))
      return { type: 'drizzle', path: candidate, evidence: `${candidate}/meta/_journal.json` };
  }
  if (has('migrations/committed') || has('.gmrc'))
    return {
      type: 'graphile-migrate',
      path: 'migrations',
      evidence: has('.gmrc') ? '.gmrc' : 'migrations/committed/',
    };
  if (has('sqitch.plan')) return { type: 'sqitch', path: '.', evidence: 'sqitch.plan' };
  for (const candidate of MIGRATION_DIRS) {
    const found = await inspect(join(dir, candidate));
    if (found !== undefined)
      return { ...found, path: candidate, evidence: `${candidate}/ with ${found.evidence}` };
  }
  return undefined;
}

async function inspect(folder: string): Promise<Omit<DetectedLayout, 'path'> | undefined> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const sql = names.filter((name) => name.endsWith('.sql')).sort();
  if (sql.length === 0) return undefined;
  if (sql.some((name) => /^\d+_.*\.up\.sql$/.test(name)))
    return { type: 'golang-migrate', evidence: '<version>_<name>.up.sql files' };
  if (sql.some((name) => /^V\d[\d._]*__.+\.sql$/.test(name)))
    return { type: 'flyway', evidence: 'V<version>__<name>.sql files' };
  // The markers sit at the top of a file: the first few files say enough.
  const texts = await Promise.all(
    sql.slice(0, 5).map((name) => readFile(join(folder, name), 'utf8').catch(() => '')),
  );
  for (const marker of MARKERS) {
    if (texts.some((text) => marker.test.test(text)))
      return { type: marker.type, evidence: marker.what };
  }
  return undefined;
}
