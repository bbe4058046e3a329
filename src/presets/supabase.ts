import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { lex } from '../sql/lexer.js';
import { listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** The Supabase CLI's migration name (pkg/migration/file.go). */
const NAME = /^([0-9]+)_(.*)\.sql$/;

/**
 * Supabase (`supabase/migrations/<timestamp>_<name>.sql`) in name order, then
 * `supabase/seed.sql` when it exists, as `supabase db reset` runs them.
 * `supabase_migrations.schema_migrations` gets (version, name, statements) per migration —
 * the statements split at their `;` and trimmed, as the CLI stores them — and
 * `supabase_migrations.seed_files` the seed file's sha256.
 */
export const supabase: Preset = {
  name: 'supabase',
  tool: 'Supabase CLI',
  defaultPath: PRESET_DEFAULT_PATHS.supabase,
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const units: MigrationUnit[] = [];
    const rows: [string, string, string[]][] = [];
    for (const path of await listFiles(root)) {
      const match = NAME.exec(path);
      if (match === null) {
        skipped.push({ path, reason: 'not named <timestamp>_<name>.sql' });
        continue;
      }
      const text = await readText(join(root, path));
      units.push(sqlUnit(root, path, { why: `migration ${match[1]}` }));
      rows.push([match[1] as string, match[2] as string, statements(text)]);
    }
    const seedPath = join(root, '..', 'seed.sql');
    const seed = existsSync(seedPath) ? await readText(seedPath) : undefined;
    if (seed !== undefined) {
      units.push(sqlUnit(root, '../seed.sql', { why: 'the seed file, after the migrations' }));
    }
    return {
      units,
      // The CLI's CreateMigrationTable / CreateSeedTable statements and its inserts.
      bookkeeping: [
        { text: 'CREATE SCHEMA IF NOT EXISTS supabase_migrations' },
        {
          text: 'CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)',
        },
        {
          text: 'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]',
        },
        {
          text: 'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text',
        },
        ...rows.map(([version, name, list]) => ({
          text: 'INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)',
          values: [version, name, list],
        })),
        ...(seed === undefined
          ? []
          : [
              {
                text: 'CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL)',
              },
              {
                text: 'INSERT INTO supabase_migrations.seed_files(path, hash) VALUES($1, $2)',
                values: ['supabase/seed.sql', createHash('sha256').update(seed).digest('hex')],
              },
            ]),
      ],
      inputs: [],
      skipped,
    };
  },
};

/**
 * The CLI's SplitAndTrim: the text up to and including each `;` outside quotes and comments
 * (leading comments stay with their statement), `;` trimmed off the end, then whitespace.
 */
function statements(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const segment of lex(text)) {
    if (segment.kind !== 'statement' || segment.terminator !== ';') continue;
    out.push(text.slice(from, segment.end));
    from = segment.end;
  }
  out.push(text.slice(from));
  return out.map((s) => s.replace(/;+$/, '').trim()).filter((s) => s.length > 0);
}
