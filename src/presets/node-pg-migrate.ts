import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** node-pg-migrate's section comments (sqlMigration.ts). */
const UP = /^\s*--[\s-]*up\s+migration/im;
const DOWN = /^\s*--[\s-]*down\s+migration/im;

/**
 * node-pg-migrate, SQL migrations (its default loader for `.sql`). Every file of the folder
 * not starting with a dot is a migration, ordered by its numeric prefix (17 digits read as a
 * UTC time) and then by name; of each file, the text from the `-- Up Migration` comment to
 * the `-- Down Migration` comment (the whole file when it has no Up comment), sent as one
 * query inside BEGIN / COMMIT. `public.pgmigrations` gets one row per file, named after it
 * without `.sql`.
 */
export const nodePgMigrate: Preset = {
  name: 'node-pg-migrate',
  tool: 'node-pg-migrate',
  defaultPath: PRESET_DEFAULT_PATHS['node-pg-migrate'],
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const paths: string[] = [];
    for (const path of await listFiles(root)) {
      if (path.startsWith('.')) {
        skipped.push({ path, reason: 'a hidden file (node-pg-migrate ignores ^\\..*)' });
      } else if (!path.endsWith('.sql')) {
        throw layoutError(
          'js_migration',
          `${path} is not an SQL migration: node-pg-migrate would load it as JavaScript, which dbfast cannot run.`,
          'The node-pg-migrate preset runs SQL migrations only; move other files out of the folder.',
        );
      } else {
        paths.push(path);
      }
    }
    paths.sort(compareFileNames);
    const units: MigrationUnit[] = [];
    for (const path of paths) {
      const text = await readText(`${root}/${path}`);
      const up = text.search(UP);
      const down = text.search(DOWN);
      const start = Math.max(up, 0);
      const end = up >= 0 && down > up ? down : text.length;
      units.push(
        sqlUnit(root, path, {
          keep: [[start, end]],
          why:
            up < 0
              ? 'no "-- Up Migration" comment: the whole file'
              : `the "-- Up Migration" section${end < text.length ? ' (the Down section is left out)' : ''}`,
        }),
      );
    }
    return {
      units,
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)',
        },
        {
          text: 'INSERT INTO "public"."pgmigrations" (name, run_on) SELECT unnest($1::text[]), NOW()',
          values: [paths.map((path) => path.slice(0, -'.sql'.length))],
        },
      ],
      inputs: [],
      skipped,
    };
  },
};

/** node-pg-migrate's order: the numeric prefix, then a numeric, punctuation-blind compare. */
function compareFileNames(a: string, b: string): number {
  return (
    prefix(a) - prefix(b) ||
    a.localeCompare(b, undefined, {
      usage: 'sort',
      numeric: true,
      sensitivity: 'variant',
      ignorePunctuation: true,
    })
  );
}

function prefix(name: string): number {
  const digits = /^(\d+)/.exec(name)?.[1];
  if (digits === undefined) {
    throw layoutError(
      'no_prefix',
      `${name} has no numeric prefix; node-pg-migrate cannot order it.`,
      'Name migrations <number>_<name>.sql (node-pg-migrate create does).',
    );
  }
  if (digits.length !== 17) return Number(digits);
  const [y, mo, d, h, mi, s, ms] = [0, 4, 6, 8, 10, 12, 14].map((at, i, all) =>
    digits.slice(at, all[i + 1] ?? 17),
  );
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`).valueOf();
}
