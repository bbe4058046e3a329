import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { assertUniqueVersions, compareVersions, listFiles, sqlUnit } from './files.js';
import type { Preset, PresetScan, SkippedFile } from './types.js';

/** golang-migrate's file name: `{version}_{title}.{up|down}.{ext}` (source.DefaultParse). */
const NAME = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;

/**
 * golang-migrate (github.com/golang-migrate/migrate). Runs `<version>_<title>.up.sql` from
 * one folder (not its subfolders) in numeric version order, each file sent whole, as the
 * postgres driver does (one multi-statement query). Its `schema_migrations` table holds ONE
 * row: the last version, `dirty = false` (the driver truncates the table before writing it).
 */
export const golangMigrate: Preset = {
  name: 'golang-migrate',
  tool: 'golang-migrate',
  defaultPath: PRESET_DEFAULT_PATHS['golang-migrate'],
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const found: { version: string; path: string }[] = [];
    for (const path of await listFiles(root)) {
      const match = NAME.exec(path);
      if (match === null) {
        skipped.push({ path, reason: 'not named <version>_<title>.up.sql' });
      } else if (match[3] === 'down') {
        skipped.push({ path, reason: 'a down migration' });
      } else if (match[4] !== 'sql') {
        skipped.push({ path, reason: `not SQL (.${match[4]})` });
      } else {
        found.push({ version: match[1] as string, path });
      }
    }
    assertUniqueVersions('golang-migrate', found);
    found.sort((a, b) => compareVersions(a.version, b.version));
    const last = found.at(-1);
    return {
      units: found.map(({ version, path }) =>
        sqlUnit(root, path, { why: `up migration, version ${BigInt(version)}` }),
      ),
      // The driver's DDL (database/postgres ensureVersionTable) in the current schema.
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)',
        },
        ...(last === undefined
          ? []
          : [
              {
                text: 'INSERT INTO schema_migrations (version, dirty) VALUES ($1, false)',
                values: [BigInt(last.version).toString()],
              },
            ]),
      ],
      inputs: [],
      skipped,
    };
  },
};
