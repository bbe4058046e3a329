import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, lines, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** graphile-migrate's committed file name (current.ts VALID_FILE_REGEX). */
const NAME = /^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$/;
/** A header line: `--! Key: value`, key starting with a capital letter. */
const HEADER = /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/;

/**
 * graphile-migrate, committed migrations (`<migrations>/committed/000001.sql`, …) in name
 * order. The `--! Previous` / `--! Hash` / `--! Message` header is not run; a body whose
 * first line is `--! no-transaction` runs outside a transaction. `graphile_migrate.migrations`
 * gets (hash, previous_hash, filename) per migration, as graphile-migrate records them, and
 * `graphile_migrate.current` is created empty. `current.sql` (work in progress) is not run.
 */
export const graphileMigrate: Preset = {
  name: 'graphile-migrate',
  tool: 'graphile-migrate',
  defaultPath: PRESET_DEFAULT_PATHS['graphile-migrate'],
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const found: { path: string; filename: string }[] = [];
    for (const path of await listFiles(root, join(root, 'committed'))) {
      const match = NAME.exec(path.slice('committed/'.length));
      if (match === null) skipped.push({ path, reason: 'not named <number>[-message].sql' });
      else found.push({ path, filename: `${match[1]}.sql` });
    }
    found.sort((a, b) => a.filename.localeCompare(b.filename, 'en'));
    const units: MigrationUnit[] = [];
    const rows: { hash: string; previous: string | null; filename: string }[] = [];
    for (const { path, filename } of found) {
      const text = await readText(join(root, path));
      const headers = new Map<string, string>();
      let bodyStart = 0;
      for (const line of lines(text)) {
        const match = HEADER.exec(line.text);
        if (match === null) break;
        headers.set(match[1] as string, (match[2] ?? '').trim());
        bodyStart = line.end;
      }
      const hash = headers.get('Hash');
      const previous = headers.get('Previous');
      if (hash === undefined || hash === '' || previous === undefined || previous === '') {
        throw layoutError(
          'graphile_header',
          `${path} lacks its "--! Previous:" or "--! Hash:" header; graphile-migrate refuses it.`,
          'Commit migrations with `graphile-migrate commit`, which writes the header.',
        );
      }
      const body = text.slice(bodyStart).trimStart();
      if (/:DATABASE_(NAME|OWNER|AUTHENTICATOR|VISITOR)\b/.test(body)) {
        throw layoutError(
          'graphile_placeholder',
          `${path} uses a graphile-migrate placeholder (:DATABASE_…), which dbfast does not replace.`,
          'Write the value in the migration, or keep this project on graphile-migrate itself.',
        );
      }
      const noTransaction = /^--!\s*no-transaction\b/.test(body);
      units.push(
        sqlUnit(root, path, {
          keep: [[bodyStart, text.length]],
          ...(noTransaction ? { noTransaction: 'its body starts with "--! no-transaction"' } : {}),
          why: `committed migration ${filename} (the --! header is left out)`,
        }),
      );
      rows.push({ hash, previous: previous === '-' ? null : previous, filename });
    }
    return {
      units,
      // graphile-migrate's _migrateMigrationSchema DDL, then its migration-insert per row.
      bookkeeping: [
        { text: 'create schema if not exists graphile_migrate' },
        {
          text: 'create table if not exists graphile_migrate.migrations (hash text primary key, previous_hash text references graphile_migrate.migrations, filename text not null, date timestamptz not null default now())',
        },
        {
          text: "create table if not exists graphile_migrate.current (filename text primary key default 'current.sql', content text not null, date timestamptz not null default now())",
        },
        ...rows.map((row) => ({
          text: 'insert into graphile_migrate.migrations(hash, previous_hash, filename) values ($1, $2, $3)',
          values: [row.hash, row.previous, row.filename],
        })),
      ],
      inputs: [],
      skipped,
    };
  },
};
