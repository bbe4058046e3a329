import { isPresetName, type PresetName } from '../config/repository-types.js';
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

/**
 * Every preset, by its `[repository] type` name. "plain" (dbfast's own layout) is not one.
 * The names are config's (config/repository-types.ts): a preset missing here, or one config
 * does not know, does not compile.
 */
const BY_NAME: Record<PresetName, Preset> = {
  prisma,
  drizzle,
  'golang-migrate': golangMigrate,
  goose,
  dbmate,
  flyway,
  'node-pg-migrate': nodePgMigrate,
  'graphile-migrate': graphileMigrate,
  supabase,
  sqitch,
};

export const PRESETS: Record<string, Preset> = BY_NAME;

/** The preset for a `[repository] type`, or undefined for a plain repository. */
export function presetFor(type: string): Preset | undefined {
  return isPresetName(type) ? BY_NAME[type] : undefined;
}
