import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnvironmentConfig, ResolvedConfig } from '../config/types.js';
import type { Project } from '../project.js';
import { checkEnvironment, type EnvironmentCheck } from '../sql/environments.js';
import { presetFor } from './registry.js';
import { scanProject } from './scan.js';

/** What a preset selected for an environment, and why, for `validate-env`. */
export interface PresetExplanation {
  type: string;
  tool: string;
  /** The migrations in run order, each with the rule that selected it and its mode. */
  migrations: Array<{ path: string; why: string; noTransaction?: string }>;
  /** Files of the migrations folder the preset left out, and why. */
  skipped: Array<{ path: string; reason: string }>;
  /** Seed files (relative to dbfast.toml's folder) run after the migrations. */
  seeds: string[];
  /** The bookkeeping statements run at the end (SQL text only). */
  bookkeeping: string[];
}

/**
 * Explain a preset repository for one environment: what runs, in which order and mode, what
 * is left out and why, and the bookkeeping SQL. Errors: a seed folder that does not exist,
 * or a folder the preset cannot read (its error message). Undefined for a plain repository.
 */
export async function explainPreset(
  config: ResolvedConfig,
  env: EnvironmentConfig,
): Promise<{ explanation?: PresetExplanation; errors: string[] } | undefined> {
  const preset = presetFor(config.repository.type);
  if (preset === undefined) return undefined;
  const errors: string[] = [];
  for (const dir of env.includeDirectories) {
    const stat = await lstat(join(config.rootDir, dir)).catch(() => undefined);
    if (stat?.isDirectory() !== true) {
      errors.push(
        `include_directories: "${dir}" is not a folder in ${config.rootDir} (with a preset, seed folders are relative to dbfast.toml)`,
      );
    }
  }
  if (errors.length > 0) return { errors };
  try {
    const scan = await scanProject(config, env);
    const migrations = scan.files.slice(0, scan.migrations);
    return {
      errors,
      explanation: {
        type: preset.name,
        tool: preset.tool,
        migrations: migrations.map((unit) => ({
          path: unit.path,
          why: unit.why ?? '',
          ...(unit.noTransaction === undefined ? {} : { noTransaction: unit.noTransaction }),
        })),
        skipped: scan.skipped,
        seeds: scan.files.slice(scan.migrations).map((file) => file.path),
        bookkeeping: scan.bookkeeping.map((statement) => statement.text),
      },
    };
  } catch (error) {
    return { errors: [(error as Error).message] };
  }
}

/** What `validateEnvironment` found. Errors make an environment unusable; warnings do not. */
export interface EnvironmentValidation extends EnvironmentCheck {
  /** For a preset repository: what the preset selected and why. */
  preset?: PresetExplanation;
}

/**
 * Check one environment against the repository on disk: a preset's explanation and errors
 * (see explainPreset), or a plain repository's checks (see checkEnvironment). Never throws
 * for what it finds (see `assertEnvironmentValid`); throws a usage error for an unknown
 * environment.
 */
export async function validateEnvironment(
  project: Project,
  name?: string,
): Promise<EnvironmentValidation> {
  const env = project.environment(name);
  const explained = await explainPreset(project.config, env);
  if (explained === undefined) {
    const environments = Object.values(project.config.environments);
    return checkEnvironment(project.config.repository, env, environments);
  }
  const { explanation, errors } = explained;
  return {
    ok: errors.length === 0,
    env: env.name,
    files:
      explanation === undefined
        ? []
        : [...explanation.migrations.map((m) => m.path), ...explanation.seeds],
    errors,
    warnings: [],
    ...(explanation === undefined ? {} : { preset: explanation }),
  };
}
