import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PRESET_DEFAULT_PATHS } from '../config/repository-types.js';
import { layoutError, listFiles, readText, sqlUnit } from './files.js';
import type { MigrationUnit, Preset, PresetScan, SkippedFile } from './types.js';

/**
 * Prisma Migrate (`prisma/migrations/<timestamp>_<name>/migration.sql`), folders in name
 * order, each script sent whole (one multi-statement query, as the schema engine does). Its
 * `_prisma_migrations` table gets one row per folder: a v4 UUID, the sha256 (hex) of the
 * script, the folder name, `applied_steps_count` 1, `started_at` and `finished_at` set.
 * A `migration_lock.toml` naming another provider than postgresql is refused.
 */
export const prisma: Preset = {
  name: 'prisma',
  tool: 'Prisma Migrate',
  defaultPath: PRESET_DEFAULT_PATHS.prisma,
  async scan(root: string): Promise<PresetScan> {
    const skipped: SkippedFile[] = [];
    await listFiles(root); // the folder must exist: the same error as every preset
    const lock = join(root, 'migration_lock.toml');
    if (existsSync(lock)) {
      const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(await readText(lock))?.[1];
      if (provider !== undefined && provider !== 'postgresql') {
        throw layoutError(
          'prisma_provider',
          `${lock} says provider = "${provider}": these migrations are not for PostgreSQL.`,
          'Point [repository] path at a PostgreSQL migrations folder.',
        );
      }
    }
    const folders = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const units: MigrationUnit[] = [];
    const rows: [string, string][] = [];
    for (const folder of folders) {
      const path = `${folder}/migration.sql`;
      if (!existsSync(join(root, path))) {
        skipped.push({ path: folder, reason: 'a folder without migration.sql' });
        continue;
      }
      const text = await readText(join(root, path));
      units.push(sqlUnit(root, path, { why: `migration ${folder}` }));
      rows.push([folder, createHash('sha256').update(text).digest('hex')]);
    }
    return {
      units,
      // The schema engine's DDL for PostgreSQL, then its rows as a successful `migrate deploy` leaves them.
      bookkeeping: [
        {
          text: 'CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)',
        },
        ...rows.map(([name, checksum]) => ({
          text: 'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES (gen_random_uuid()::text, $1, now(), $2, NULL, NULL, now(), 1)',
          values: [checksum, name],
        })),
      ],
      inputs: [],
      skipped,
    };
  },
};
