import { existsSync } from 'node:fs';
import { connectionUrl } from './config/url.js';
import { errorMessage, isDbfastError } from './errors.js';
import { presetFor } from './presets/registry.js';
import { scanProject } from './presets/scan.js';
import type { Project } from './project.js';
import { serverInfo } from './server/info.js';
import { listRepository, selector } from './sql/scan.js';

export interface StatusReport {
  config: { path: string | undefined; rootDir: string };
  server: {
    kind: 'embedded' | 'external';
    source: string;
    /** Connection URL without its password. */
    url: string | undefined;
    reachable: boolean;
    version: string | undefined;
    error: string | undefined;
  };
  /** `type`: "plain" or the preset (see src/presets). */
  repository: { path: string; type: string; exists: boolean; files: number };
  environments: { name: string; files: number; default: boolean }[];
}

/**
 * What dbfast would use and whether it works: config file, server (started if embedded),
 * repository and environments. Never throws for an unreachable server: it reports it.
 */
export async function projectStatus(project: Project): Promise<StatusReport> {
  const { config } = project;
  const target = config.database.target;
  const server: StatusReport['server'] = {
    kind: target.kind,
    source: target.kind === 'embedded' ? `embedded (${target.dir})` : target.source,
    url: undefined,
    reachable: false,
    version: undefined,
    error: undefined,
  };
  try {
    const params = await project.connection();
    server.url = connectionUrl(params);
    const info = await project.withClient(serverInfo);
    server.reachable = true;
    server.version = info.version;
  } catch (error) {
    server.error = isDbfastError(error) ? error.message : errorMessage(error);
    if (target.kind === 'external') server.url = connectionUrl(target.connection);
  }
  const exists = existsSync(config.repository.path);
  const preset = presetFor(config.repository.type) !== undefined;
  // A preset's folder may be the project itself (sqitch): count what the preset runs instead.
  const files =
    exists && !preset
      ? await listRepository(config.repository.path, config.repository.extensions)
      : [];
  const presetCounts = new Map<string, number>();
  for (const env of preset && exists ? Object.values(config.environments) : []) {
    const count = await scanProject(config, env).then(
      (scan) => scan.files.length,
      () => 0,
    );
    presetCounts.set(env.name, count);
  }
  return {
    config: { path: config.configPath, rootDir: config.rootDir },
    server,
    repository: {
      path: config.repository.path,
      type: config.repository.type,
      exists,
      files: preset ? Math.max(0, ...presetCounts.values()) : files.length,
    },
    environments: Object.values(config.environments).map((env) => ({
      name: env.name,
      files:
        presetCounts.get(env.name) ?? files.map((file) => file.path).filter(selector(env)).length,
      default: env.name === config.defaultEnvironment,
    })),
  };
}
