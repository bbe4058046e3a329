import { existsSync } from 'node:fs';
import { connectionUrl } from '../config/url.js';
import { errorMessage, isDbfastError } from '../errors.js';
import type { Project } from '../project.js';
import { withClient } from '../server/connection.js';
import { embeddedConnection, embeddedStatus } from '../server/embedded.js';
import { serverInfo } from '../server/info.js';
import { environmentFileCounts } from './environments.js';

export interface StatusReport {
  config: { path: string | undefined; rootDir: string };
  server: {
    kind: 'embedded' | 'external';
    source: string;
    /** Connection URL without its password. */
    url: string | undefined;
    /** False only for an embedded server that is not running (status never starts it). */
    running: boolean;
    reachable: boolean;
    version: string | undefined;
    error: string | undefined;
  };
  /** `type`: "plain" or the preset (see src/presets). */
  repository: { path: string; type: string; exists: boolean; files: number };
  environments: { name: string; files: number; default: boolean }[];
}

/**
 * What dbfast would use and whether it works: config file, server, repository and
 * environments. Never starts the embedded server (a stopped one is reported as not
 * running) and never throws for an unreachable server: it reports it.
 */
export async function projectStatus(project: Project): Promise<StatusReport> {
  const { config } = project;
  const target = config.database.target;
  const server: StatusReport['server'] = {
    kind: target.kind,
    source: target.kind === 'embedded' ? `embedded (${target.dir})` : target.source,
    url: undefined,
    running: true,
    reachable: false,
    version: undefined,
    error: undefined,
  };
  try {
    let params = target.kind === 'external' ? target.connection : undefined;
    if (target.kind === 'embedded') {
      const embedded = await embeddedStatus(target.dir);
      server.running = embedded.running;
      if (embedded.port !== undefined) params = embeddedConnection(embedded.port);
    }
    if (params === undefined) return report(project, server);
    server.url = connectionUrl(params);
    const info = await withClient(params, serverInfo);
    server.reachable = true;
    server.version = info.version;
  } catch (error) {
    server.error = isDbfastError(error) ? error.message : errorMessage(error);
  }
  return report(project, server);
}

async function report(project: Project, server: StatusReport['server']): Promise<StatusReport> {
  const { config } = project;
  const exists = existsSync(config.repository.path);
  const counts = exists
    ? await environmentFileCounts(config, true)
    : { environments: new Map<string, number>(), repository: 0 };
  return {
    config: { path: config.configPath, rootDir: config.rootDir },
    server,
    repository: {
      path: config.repository.path,
      type: config.repository.type,
      exists,
      files: counts.repository,
    },
    environments: Object.values(config.environments).map((env) => ({
      name: env.name,
      files: counts.environments.get(env.name) ?? 0,
      default: env.name === config.defaultEnvironment,
    })),
  };
}
