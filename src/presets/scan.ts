import { join } from 'node:path';
import type { EnvironmentConfig, ResolvedConfig } from '../config/types.js';
import { DbfastError, ExitCode } from '../errors.js';
import type { BookkeepingStatement } from '../sql/bookkeeping.js';
import {
  comparePaths,
  directoryPath,
  listRepository,
  type RepositoryFile,
  scanRepository,
  selector,
} from '../sql/scan.js';
import { presetFor } from './registry.js';
import type { MigrationUnit, SkippedFile } from './types.js';

/** What an environment runs, in order, whatever the repository's type. */
export interface ProjectScan {
  /** The preset's name, or "plain". */
  type: string;
  /** The migrations (a preset's units), then the environment's seed files; or the plain selection. */
  files: MigrationUnit[];
  /** How many of `files` are the preset's migrations (the rest are seed files). */
  migrations: number;
  bookkeeping: BookkeepingStatement[];
  /** Other files the preset read (absolute paths), part of the fingerprint. */
  inputs: string[];
  skipped: SkippedFile[];
}

/**
 * The files an environment runs. A plain repository: the environment's selection of the
 * repository (see scanRepository). A preset: every migration the tool would run, in its
 * order and with its up-sections, then the seed files of the environment's
 * `include_directories` — which, for a preset, are relative to the dbfast.toml folder —
 * filtered by its other keys.
 */
export async function scanProject(
  config: ResolvedConfig,
  env: EnvironmentConfig,
): Promise<ProjectScan> {
  const { repository } = config;
  const preset = presetFor(repository.type);
  if (preset === undefined) {
    const files = await scanRepository(repository.path, env, repository.extensions);
    return {
      type: 'plain',
      files,
      migrations: files.length,
      bookkeeping: [],
      inputs: [],
      skipped: [],
    };
  }
  if (repository.runner === 'psql') {
    throw new DbfastError(
      'config.preset_runner',
      `[repository] type = "${preset.name}" runs with dbfast's own runner; runner = "psql" cannot run an up-section.`,
      {
        hint: 'Remove runner = "psql" from [repository] in dbfast.toml.',
        exitCode: ExitCode.usage,
      },
    );
  }
  const found = await preset.scan(repository.path);
  const seeds = await seedFiles(config.rootDir, env, repository.extensions);
  return {
    type: preset.name,
    files: [...found.units, ...seeds],
    migrations: found.units.length,
    bookkeeping: found.bookkeeping,
    inputs: found.inputs,
    skipped: found.skipped,
  };
}

/** The seed files an environment adds on top of a preset's migrations. */
export async function seedFiles(
  rootDir: string,
  env: EnvironmentConfig,
  extensions?: readonly string[],
): Promise<RepositoryFile[]> {
  const found = new Map<string, RepositoryFile>();
  const selects = selector(env);
  for (const dir of env.includeDirectories) {
    const clean = directoryPath(dir);
    // Only the named folders are walked: the project folder holds node_modules and the like.
    for (const file of await listRepository(join(rootDir, clean), extensions)) {
      const path = `${clean}/${file.path}`;
      if (selects(path)) found.set(path, { ...file, path });
    }
  }
  return [...found.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Folders and files outside the repository folder that a preset's run reads, for `watch`:
 * the environments' seed folders (relative to dbfast.toml for a preset) and Supabase's
 * `seed.sql` beside the migrations folder. Nothing for a plain repository.
 */
export function presetWatchPaths(config: ResolvedConfig): string[] {
  const preset = presetFor(config.repository.type);
  if (preset === undefined) return [];
  const seeds = Object.values(config.environments).flatMap((env) =>
    env.includeDirectories.map((dir) => join(config.rootDir, dir)),
  );
  return [
    ...new Set([
      ...seeds,
      ...(preset.name === 'supabase' ? [join(config.repository.path, '..', 'seed.sql')] : []),
    ]),
  ];
}
