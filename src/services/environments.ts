import { presetFor } from '../presets/registry.js';
import { scanProject } from '../presets/scan.js';
import type { Project } from '../project.js';
import { listRepository, selector } from '../sql/scan.js';
/** One environment as `dbfast environments` shows it. */
export interface EnvironmentSummary {
  name: string;
  /** Whether commands use this environment when given no --env. */
  default: boolean;
  /** How many repository files it selects. */
  files: number;
  includeDirectories: string[];
  excludeDirectories: string[];
  includeFiles: string[];
  excludeFiles: string[];
}

/**
 * Every configured environment with the number of files it selects, in config order. Reads
 * the repository once; throws `repository.missing` when the repository folder does not exist.
 */
export async function listEnvironments(project: Project): Promise<EnvironmentSummary[]> {
  const { config } = project;
  const presetCounts = new Map<string, number>();
  const isPreset = presetFor(config.repository.type) !== undefined;
  // A preset's folder may be the project folder itself (sqitch): never walk it whole.
  const files = isPreset
    ? []
    : await listRepository(config.repository.path, config.repository.extensions);
  if (isPreset) {
    // A preset runs its whole folder in every environment, then the environment's seeds.
    for (const env of Object.values(config.environments))
      presetCounts.set(env.name, (await scanProject(config, env)).files.length);
  }
  return Object.values(config.environments).map((env) => ({
    name: env.name,
    default: env.name === config.defaultEnvironment,
    files:
      presetCounts.get(env.name) ?? files.map((file) => file.path).filter(selector(env)).length,
    includeDirectories: env.includeDirectories,
    excludeDirectories: env.excludeDirectories,
    includeFiles: env.includeFiles,
    excludeFiles: env.excludeFiles,
  }));
}
