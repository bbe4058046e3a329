import { dbmate } from './dbmate.js';
import { drizzle } from './drizzle.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { goose } from './goose.js';
import { graphileMigrate } from './graphile-migrate.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { prisma } from './prisma.js';
import { sqitch } from './sqitch.js';
import { supabase } from './supabase.js';
import type { Preset } from './types.js';

/** Every preset, by its `[repository] type` name. "plain" (dbfast's own layout) is not one. */
export const PRESETS: Record<string, Preset> = Object.fromEntries(
  [
    prisma,
    drizzle,
    golangMigrate,
    goose,
    dbmate,
    flyway,
    nodePgMigrate,
    graphileMigrate,
    supabase,
    sqitch,
  ].map((preset) => [preset.name, preset]),
);

/** Other spellings of "plain": the values an original DBFast config may hold. */
export const PLAIN_ALIASES = ['sql', 'structured'];

/** `[repository] type` values: "plain" (or an original DBFast value) and the presets. */
export const REPOSITORY_TYPES = ['plain', ...PLAIN_ALIASES, ...Object.keys(PRESETS)];

/** The preset for a `[repository] type`, or undefined for a plain repository. */
export function presetFor(type: string): Preset | undefined {
  return PRESETS[type];
}
