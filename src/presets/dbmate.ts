import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, lines, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** dbmate's file name: a version, then anything, `.sql`. */
const NAME = /^(\d+).*\.sql$/;
/** dbmate's section markers, with the options after them (`transaction:false`). */
const UP = /^--\s*migrate:up(?:\s+(.*))?\s*$/;
const DOWN = /^--\s*migrate:down(?:\s+.*)?\s*$/;

/**
 * dbmate (github.com/amacneil/dbmate). Runs `<version>_<name>.sql` from one folder in name
 * order; of each file, the lines between `-- migrate:up` and `-- migrate:down`.
 * `-- migrate:up transaction:false` runs it outside a transaction. Its `schema_migrations`
 * table (in the current schema; `version varchar primary key`, as dbmate 2 creates it) holds every version.
 */
export const dbmate: Preset = {
  name: 'dbmate',
  tool: 'dbmate',
  defaultPath: PRESET_DEFAULT_PATHS.dbmate,
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const units: MigrationUnit[] = [];
    const versions: string[] = [];
    for (const path of await listFiles(root)) {
      const match = NAME.exec(path);
      if (match === null) {
        skipped.push({ path, reason: 'not named <version>_<name>.sql' });
        continue;
      }
      versions.push(match[1] as string);
      units.push(await dbmateUnit(root, path, match[1] as string));
    }
    return {
      units,
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS schema_migrations (version varchar primary key)',
        },
        {
          text: 'INSERT INTO schema_migrations (version) SELECT unnest($1::text[])',
          values: [versions],
        },
      ],
      inputs: [],
      skipped,
    };
  },
};

async function dbmateUnit(root: string, path: string, version: string): Promise<MigrationUnit> {
  const text = await readText(`${root}/${path}`);
  let up: { end: number; options: string } | undefined;
  let down: number | undefined;
  for (const line of lines(text)) {
    const upMatch = UP.exec(line.text);
    if (upMatch !== null && up === undefined) up = { end: line.end, options: upMatch[1] ?? '' };
    if (DOWN.test(line.text) && up !== undefined && down === undefined) down = line.start;
  }
  if (up === undefined) {
    throw layoutError(
      'dbmate_no_up',
      `${path} has no "-- migrate:up" line; dbmate refuses such a file.`,
      'Start the migration with a "-- migrate:up" line.',
    );
  }
  const noTransaction = /(?:^|\s)transaction:false(?:\s|$)/.test(up.options);
  return sqlUnit(root, path, {
    keep: [[up.end, down ?? text.length]],
    ...(noTransaction ? { noTransaction: 'its up section says "transaction:false"' } : {}),
    why: `version ${version}, the "-- migrate:up" section${down === undefined ? '' : ' (the down section is left out)'}`,
  });
}
