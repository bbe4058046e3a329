import { findConfigFile } from '../../../config/load.js';
import { usageError } from '../../../errors.js';
import type { CommandContext } from '../../context.js';

/** The dbfast.toml that remote add/remove edit (found like every command finds it). */
export function configFile(ctx: CommandContext): string {
  const path = findConfigFile(process.cwd(), ctx.globals.config);
  if (path === undefined) {
    throw usageError(
      'config.not_found',
      'No dbfast.toml here or in a parent folder.',
      'Run `dbfast init` first, or pass --config PATH.',
    );
  }
  return path;
}
