import { resolveConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { DbfastError } from '../../src/errors.js';

/** Resolve inline dbfast.toml text as if it were /p/dbfast.toml. */
export function resolveInline(text: string, env: Record<string, string> = {}): ResolvedConfig {
  return resolveConfig(text, { configPath: '/p/dbfast.toml', rootDir: '/p', env });
}

/** The config error that resolving `text` throws (fails the test when there is none). */
export function problemsOf(text: string, env: Record<string, string> = {}): DbfastError {
  try {
    resolveInline(text, env);
  } catch (error) {
    if (error instanceof DbfastError) return error;
    throw error;
  }
  throw new Error('expected a config error');
}
