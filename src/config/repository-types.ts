/**
 * The `[repository] type` values, as plain data: "plain" (dbfast's own layout), its original
 * DBFast spellings, and one per migration-tool preset with the folder that tool keeps its
 * migrations in by default (the `[repository] path` when none is set). The code that reads
 * each tool's layout is in src/presets/; its registry must have exactly these presets (a
 * compile-time check), and each preset takes its default path from here.
 */

export const PRESET_DEFAULT_PATHS = {
  prisma: 'prisma/migrations',
  drizzle: 'drizzle',
  'golang-migrate': 'migrations',
  goose: 'migrations',
  dbmate: 'db/migrations',
  flyway: 'db/migration',
  'node-pg-migrate': 'migrations',
  'graphile-migrate': 'migrations',
  supabase: 'supabase/migrations',
  sqitch: '.',
} as const;

/** The `[repository] type` of a preset. */
export type PresetName = keyof typeof PRESET_DEFAULT_PATHS;

/** Other spellings of "plain": the values an original DBFast config may hold. */
export const PLAIN_ALIASES = ['sql', 'structured'];

/** `[repository] type` values: "plain" (or an original DBFast value) and the presets. */
export const REPOSITORY_TYPES = ['plain', ...PLAIN_ALIASES, ...Object.keys(PRESET_DEFAULT_PATHS)];

export function isPresetName(type: string): type is PresetName {
  return Object.hasOwn(PRESET_DEFAULT_PATHS, type);
}

/** The folder a repository of `type` lives in when `[repository] path` is not set. */
export function defaultRepositoryPath(type: string): string {
  return isPresetName(type) ? PRESET_DEFAULT_PATHS[type] : 'sql';
}
