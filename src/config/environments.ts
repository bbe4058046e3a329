import type { CheckedConfig, SectionValues } from './schema.js';
import type { EnvironmentConfig } from './types.js';

export interface ResolvedEnvironments {
  environments: Record<string, EnvironmentConfig>;
  /** `local` when there is one, else the first environment of the file. */
  defaultEnvironment: string;
}

/**
 * `[environments.NAME]`, resolved. A file without any gets one environment, `default`,
 * that runs the whole repository. `poolSize` is `[pool] size`, the default of `pool_size`.
 */
export function resolveEnvironments(
  entries: CheckedConfig['environments'],
  poolSize: number,
): ResolvedEnvironments {
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, fields] of Object.entries(entries)) {
    environments[name] = resolveEnvironment(name, fields, poolSize);
  }
  const names = Object.keys(environments);
  const [first] = names;
  if (first === undefined) {
    return {
      environments: { default: resolveEnvironment('default', {}, poolSize) },
      defaultEnvironment: 'default',
    };
  }
  return { environments, defaultEnvironment: names.includes('local') ? 'local' : first };
}

function resolveEnvironment(
  name: string,
  fields: SectionValues<'environments'>,
  poolSize: number,
): EnvironmentConfig {
  return {
    name,
    includeDirectories: fields.include_directories ?? [],
    excludeDirectories: fields.exclude_directories ?? [],
    includeFiles: fields.include_files ?? [],
    excludeFiles: fields.exclude_files ?? [],
    ttlMs: fields.ttl,
    poolSize: fields.pool_size ?? poolSize,
  };
}
