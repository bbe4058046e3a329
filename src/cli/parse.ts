import { parseDuration } from '../duration.js';
import { usageError } from '../errors.js';

/** A duration flag (`--ttl 2h`) in milliseconds, or a usage error naming the flag. */
export function parseDurationOption(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw usageError(
      'usage',
      `${flag} expects a duration such as 90s, 15m, 2h or 7d, got "${text}".`,
    );
  return ms;
}

/** An integer flag, at least `min`. */
export function parseIntegerOption(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw usageError('usage', `${flag} expects a whole number >= ${min}, got "${text}".`);
  return value;
}
