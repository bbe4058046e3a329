import type { ResolvedConfig } from '../config/types.js';
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
  const counts = await environmentFileCounts(config);
  return Object.values(config.environments).map((env) => ({
    name: env.name,
    default: env.name === config.defaultEnvironment,
    files: counts.environments.get(env.name) ?? 0,
    includeDirectories: env.includeDirectories,
    excludeDirectories: env.excludeDirectories,
    includeFiles: env.includeFiles,
    excludeFiles: env.excludeFiles,
  }));
}

/**
 * How many files each environment runs, and how many the repository holds (for a preset: the
 * most any environment runs). A plain repository is read once; a preset runs its whole folder
 * in every environment, then the environment's seeds, and its folder may be the project
 * folder itself (sqitch), so it is scanned as the preset, never walked whole. `lenient`: a
 * preset scan that fails counts 0 instead of throwing (status reports; it does not validate).
 */
export async function environmentFileCounts(
  config: ResolvedConfig,
  lenient = false,
): Promise<{ environments: Map<string, number>; repository: number }> {
  const environments = new Map<string, number>();
  if (presetFor(config.repository.type) !== undefined) {
    for (const env of Object.values(config.environments)) {
      const count = scanProject(config, env).then((scan) => scan.files.length);
      environments.set(env.name, await (lenient ? count.catch(() => 0) : count));
    }
    return { environments, repository: Math.max(0, ...environments.values()) };
  }
  const { path, extensions } = config.repository;
  const files = (await listRepository(path, extensions)).map((file) => file.path);
  for (const env of Object.values(config.environments))
    environments.set(env.name, files.filter(selector(env)).length);
  return { environments, repository: files.length };
}
