import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/** Flyway's SQL migration names: versioned, repeatable, undo (Teams), baseline. */
const VERSIONED = /^V([0-9][0-9._]*)__(.+)\.sql$/;
const REPEATABLE = /^R__(.+)\.sql$/;
const OTHER = /^[UB][0-9][0-9._]*__.+\.sql$/;

interface Found {
  path: string;
  version: string | null;
  description: string;
  checksum: number;
  /** Flyway drops a leading byte order mark; PostgreSQL would not parse it. */
  bom: boolean;
}

/**
 * Flyway, SQL migrations of one location (and its subfolders): `V<version>__<description>.sql`
 * in version order (`1.10` after `1.9`; `_` in a version means `.`), then
 * `R__<description>.sql` repeatables in description order. `U…` (undo) and `B…` (baseline)
 * files are not run. `flyway_schema_history` gets one row per script as `flyway migrate`
 * writes it: rank from 1, version, description (`_` as spaces), type SQL, script path,
 * Flyway's checksum (CRC32 of the UTF-8 bytes of every line without its line break, a
 * leading BOM removed, as a signed 32-bit integer), installed_by the current user, success.
 * Files with `${…}` placeholders are refused: dbfast does not replace them.
 */
export const flyway: Preset = {
  name: 'flyway',
  tool: 'Flyway',
  defaultPath: PRESET_DEFAULT_PATHS.flyway,
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    const versioned: Found[] = [];
    const repeatable: Found[] = [];
    for (const path of await listFiles(root, root, true)) {
      const name = path.split('/').at(-1) as string;
      const v = VERSIONED.exec(name);
      const r = REPEATABLE.exec(name);
      if (v === null && r === null) {
        skipped.push({
          path,
          reason: OTHER.test(name)
            ? 'an undo or baseline migration'
            : 'not named V<version>__<description>.sql or R__<description>.sql',
        });
        continue;
      }
      const text = await readText(join(root, path));
      if (/\$\{[^}]*\}/.test(text)) {
        throw layoutError(
          'flyway_placeholder',
          `${path} uses a Flyway placeholder (\${…}), which dbfast does not replace.`,
          'Write the value in the migration, or keep this project on Flyway itself.',
        );
      }
      const description = ((v === null ? r?.[1] : v[2]) ?? '').replace(/_/g, ' ');
      const version = v === null ? null : (v[1] as string).replace(/_/g, '.');
      (v === null ? repeatable : versioned).push({
        path,
        version,
        description,
        checksum: flywayChecksum(text),
        bom: text.startsWith('\uFEFF'),
      });
    }
    versioned.sort((a, b) => compareFlywayVersions(a.version as string, b.version as string));
    repeatable.sort((a, b) => (a.description < b.description ? -1 : 1));
    const all = [...versioned, ...repeatable];
    const units: MigrationUnit[] = all.map((found) =>
      sqlUnit(root, found.path, {
        ...(found.bom ? { keep: [[1, Number.MAX_SAFE_INTEGER]] as Array<[number, number]> } : {}),
        why:
          found.version === null
            ? `repeatable "${found.description}" (after every versioned migration)`
            : `version ${found.version}`,
      }),
    );
    return {
      units,
      // Flyway's createMetaDataTable.sql for PostgreSQL, in the current schema.
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS "flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL, CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"))',
        },
        {
          text: 'CREATE INDEX IF NOT EXISTS "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")',
        },
        ...all.map((found, i) => ({
          text: 'INSERT INTO "flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES ($1, $2, $3, \'SQL\', $4, $5, current_user, 0, true)',
          values: [i + 1, found.version, found.description, found.path, found.checksum],
        })),
      ],
      inputs: [],
      skipped,
    };
  },
};

/** Version parts compared as numbers: 1.9 < 1.10; a missing part counts as 0 (1 = 1.0). */
export function compareFlywayVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => BigInt(part === '' ? 0 : part));
  const pb = b.split('.').map((part) => BigInt(part === '' ? 0 : part));
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Flyway's checksum: CRC32 over each line's UTF-8 bytes (no line breaks, no BOM), signed. */
export function flywayChecksum(text: string): number {
  let crc = 0xffffffff;
  // Java's BufferedReader.readLine ends a line at \n, \r or \r\n.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    for (const byte of Buffer.from(line, 'utf8')) {
      crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
    }
  }
  return (crc ^ 0xffffffff) | 0;
}
