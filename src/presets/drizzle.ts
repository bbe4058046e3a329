import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** The marker drizzle-kit writes between statements. */
const BREAKPOINT = '--> statement-breakpoint';

interface JournalEntry {
  tag: string;
  when: number;
}

/**
 * Drizzle (drizzle-kit's output folder): the migrations `meta/_journal.json` lists, in its
 * order, each `<tag>.sql` split at `--> statement-breakpoint`. SQL files the journal does
 * not list are not run (nor are they by drizzle). `drizzle.__drizzle_migrations` gets
 * (sha256 of the file, the entry's `when`) per migration, as drizzle-orm's migrator writes.
 */
export const drizzle: Preset = {
  name: 'drizzle',
  tool: 'Drizzle',
  defaultPath: PRESET_DEFAULT_PATHS.drizzle,
  async scan(root: string): Promise<PresetScan> {
    const all = await listFiles(root);
    const journalPath = join(root, 'meta', '_journal.json');
    if (!existsSync(journalPath)) {
      throw layoutError(
        'drizzle_journal',
        `${journalPath} does not exist; drizzle runs only the migrations its journal lists.`,
        'Point [repository] path at the folder drizzle-kit generate writes (the one with meta/).',
      );
    }
    const journal = JSON.parse(await readText(journalPath)) as {
      dialect?: string;
      entries?: JournalEntry[];
    };
    if (journal.dialect !== undefined && journal.dialect !== 'postgresql') {
      throw layoutError(
        'drizzle_dialect',
        `${journalPath} is for dialect "${journal.dialect}", not PostgreSQL.`,
        'Point [repository] path at a PostgreSQL migrations folder.',
      );
    }
    const units: MigrationUnit[] = [];
    const rows: [string, string][] = [];
    for (const entry of journal.entries ?? []) {
      const path = `${entry.tag}.sql`;
      if (!all.includes(path)) {
        throw layoutError(
          'drizzle_missing',
          `The journal lists ${entry.tag}, but ${path} does not exist.`,
          'Regenerate the migrations with drizzle-kit, or fix meta/_journal.json.',
        );
      }
      const text = await readText(join(root, path));
      units.push(
        sqlUnit(root, path, {
          breakpoint: BREAKPOINT,
          why: `journal entry ${entry.tag} (statements split at "${BREAKPOINT}")`,
        }),
      );
      rows.push([createHash('sha256').update(text).digest('hex'), String(entry.when)]);
    }
    const listed = new Set(units.map((unit) => unit.path));
    const skipped: SkippedFile[] = all
      .filter((path) => path.endsWith('.sql') && !listed.has(path))
      .map((path) => ({ path, reason: 'not in meta/_journal.json' }));
    return {
      units,
      bookkeeping: [
        { text: 'CREATE SCHEMA IF NOT EXISTS "drizzle"' },
        {
          text: 'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
        },
        ...rows.map(([hash, when]) => ({
          text: 'insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values($1, $2)',
          values: [hash, when],
        })),
      ],
      inputs: [journalPath],
      skipped,
    };
  },
};
