import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import {
  assertUniqueVersions,
  compareVersions,
  type Line,
  layoutError,
  lines,
  listFiles,
  readText,
  sqlUnit,
} from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** goose's file name: a positive version, `_`, anything; `.sql` (or `.go`, which only Go can run). */
const NAME = /^(\d+)_.*\.(sql|go)$/;

/** A goose annotation line (`-- +goose Up`), giving the command. */
function annotation(line: Line): string | undefined {
  const match = /^--\s*\+goose\s+(.*?)\s*$/i.exec(line.text);
  return match?.[1]?.toLowerCase();
}

/**
 * goose (github.com/pressly/goose). Runs `<version>_<name>.sql` from one folder in numeric
 * version order; of each file, the lines between `-- +goose Up` and `-- +goose Down`.
 * `-- +goose NO TRANSACTION` runs the migration outside a transaction;
 * `StatementBegin` / `StatementEnd` need nothing here (dbfast's lexer already keeps a
 * function body together). Its `goose_db_version` table gets a version 0 row first (goose
 * writes it when it creates the table), then one row per migration.
 */
export const goose: Preset = {
  name: 'goose',
  tool: 'goose',
  defaultPath: PRESET_DEFAULT_PATHS.goose,
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const found: { version: string; path: string }[] = [];
    for (const path of await listFiles(root)) {
      const match = NAME.exec(path);
      if (match === null || BigInt(match[1] as string) === 0n) {
        skipped.push({ path, reason: 'not named <version>_<name>.sql' });
      } else if (match[2] === 'go') {
        throw layoutError(
          'go_migration',
          `${path} is a Go migration: only a Go program that registers it can run it.`,
          'Write the migration in SQL, or keep using plain SQL files with [repository] type = "plain".',
        );
      } else {
        found.push({ version: match[1] as string, path });
      }
    }
    assertUniqueVersions('goose', found);
    found.sort((a, b) => compareVersions(a.version, b.version));
    const units: MigrationUnit[] = [];
    for (const { version, path } of found) {
      units.push(await gooseUnit(root, path, version));
    }
    return {
      units,
      // goose's postgres dialect DDL, and the rows it writes (version 0 with the table).
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id))',
        },
        {
          text: 'INSERT INTO goose_db_version (version_id, is_applied) SELECT unnest($1::bigint[]), true',
          values: [['0', ...found.map((f) => BigInt(f.version).toString())]],
        },
      ],
      inputs: [],
      skipped,
    };
  },
};

async function gooseUnit(root: string, path: string, version: string): Promise<MigrationUnit> {
  const text = await readText(`${root}/${path}`);
  let up: number | undefined;
  let down: number | undefined;
  let noTransaction = false;
  for (const line of lines(text)) {
    const command = annotation(line);
    if (command === 'up' && up === undefined) up = line.end;
    if (command === 'down' && up !== undefined && down === undefined) down = line.start;
    if (command === 'no transaction') noTransaction = true;
    if (command === 'envsub on') {
      throw layoutError(
        'goose_envsub',
        `${path} uses "-- +goose ENVSUB ON" (environment substitution), which dbfast does not do.`,
        'Remove the annotation, or use [repository] runner = "psql" with a plain repository.',
      );
    }
  }
  if (up === undefined) {
    throw layoutError(
      'goose_no_up',
      `${path} has no "-- +goose Up" annotation; goose refuses such a file.`,
      'Start the migration with a "-- +goose Up" line.',
    );
  }
  const end = down ?? text.length;
  return sqlUnit(root, path, {
    keep: [[up, end]],
    ...(noTransaction ? { noTransaction: 'the file says "-- +goose NO TRANSACTION"' } : {}),
    why: `version ${BigInt(version)}, the "-- +goose Up" section${down === undefined ? '' : ' (the Down section is left out)'}`,
  });
}
