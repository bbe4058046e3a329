import type { CheckedConfig, SectionValues } from './schema.js';
import type { EnvironmentConfig, ResolvedConfig } from './types.js';

export interface ResolvedEnvironments {
  environments: Record<string, EnvironmentConfig>;
  /** `local` when there is one, else the first environment of the file. */
  defaultEnvironment: string;
}

/**
 * `[environments.NAME]`, resolved. A file without any gets one environment, `default`,
 * that runs the whole repository. `[pool] size` is the default of `pool_size`; `[pool] min`
 * and `max` bound every environment's pool (problems: a size outside them, min > max).
 */
export function resolveEnvironments(
  entries: CheckedConfig['environments'],
  pool: ResolvedConfig['pool'],
  problems: string[],
): ResolvedEnvironments {
  const poolSize = { pool, problems };
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
  { pool, problems }: { pool: ResolvedConfig['pool']; problems: string[] },
): EnvironmentConfig {
  const size = fields.pool_size ?? pool.size;
  const key = fields.pool_size === undefined ? 'pool.size' : `environments.${name}.pool_size`;
  return {
    name,
    includeDirectories: fields.include_directories ?? [],
    excludeDirectories: fields.exclude_directories ?? [],
    includeFiles: fields.include_files ?? [],
    excludeFiles: fields.exclude_files ?? [],
    ttlMs: fields.ttl,
    poolSize: size,
    ...poolBounds(pool, size, key, problems),
  };
}

/** `[pool] min` / `max` around a pool size (each defaults to the size: a fixed pool). */
function poolBounds(
  pool: ResolvedConfig['pool'],
  size: number,
  key: string,
  problems: string[],
): { poolMin: number; poolMax: number } {
  const min = pool.min ?? size;
  const max = pool.max ?? size;
  const note = 'the pool starts at its size and stays within min..max';
  const add = (problem: string): void => {
    // Once, however many environments share the bounds.
    if (!problems.includes(problem)) problems.push(problem);
  };
  if (pool.min !== undefined && pool.max !== undefined && pool.min > pool.max)
    add(`pool.min: ${pool.min} is greater than pool.max (${pool.max}); ${note}`);
  else if (size > 0 && size < min) add(`${key}: ${size} is below pool.min (${min}); ${note}`);
  else if (size > 0 && size > max) add(`${key}: ${size} is above pool.max (${max}); ${note}`);
  // Size 0 is no pool at all, whatever the bounds.
  return size === 0 ? { poolMin: 0, poolMax: 0 } : { poolMin: min, poolMax: max };
}
