import { usageError } from '../errors.js';

/**
 * `--compress gzip|lz4|zstd[:LEVEL]` (or `none`). pg_dump has compressed with gzip for ever,
 * but lz4 and zstd only from version 16, and pg_dump 15 spells the option `-Z LEVEL` while
 * 16 and later take `--compress=METHOD:LEVEL`: both facts live here.
 */

export type CompressionMethod = 'gzip' | 'lz4' | 'zstd' | 'none';

export interface Compression {
  method: CompressionMethod;
  level: number | undefined;
}

/** Highest level each method accepts (pg_dump checks as well; this fails earlier and clearer). */
const MAX_LEVEL: Record<CompressionMethod, number> = { gzip: 9, lz4: 12, zstd: 22, none: 0 };

/** Parse a compression spec; a usage error (exit 2) when it is not one. */
export function parseCompression(text: string): Compression {
  const match = /^(gzip|lz4|zstd|none)(?::(\d+))?$/.exec(text.trim().toLowerCase());
  if (match === null) {
    throw usageError(
      'backup.bad_compression',
      `"${text}" is not a compression method.`,
      'Use gzip, lz4 or zstd, optionally with a level (gzip:9, zstd:3), or none.',
    );
  }
  const method = match[1] as CompressionMethod;
  const level = match[2] === undefined ? undefined : Number(match[2]);
  if (level !== undefined && (level < 1 || level > MAX_LEVEL[method])) {
    throw usageError(
      'backup.bad_compression',
      `Compression level ${level} is out of range for ${method}.`,
      method === 'none' ? 'none takes no level.' : `Use 1 to ${MAX_LEVEL[method]}.`,
    );
  }
  return { method, level };
}

/** The oldest pg_dump that can write this compression. */
export function compressionMinMajor(compression: Compression | undefined): number {
  return compression?.method === 'lz4' || compression?.method === 'zstd' ? 16 : 0;
}

/** pg_dump arguments for a compression, in the spelling the given pg_dump major accepts. */
export function compressionArgs(
  compression: Compression | undefined,
  pgDumpMajor: number,
): string[] {
  if (compression === undefined) return [];
  if (compression.method === 'none') return ['-Z', '0'];
  if (pgDumpMajor < 16) {
    // pg_dump <= 15 only knows gzip, as a bare level; 6 is zlib's own default.
    return ['-Z', String(compression.level ?? 6)];
  }
  const level = compression.level === undefined ? '' : `:${compression.level}`;
  return [`--compress=${compression.method}${level}`];
}

/** The form recorded in a manifest and shown to people: `gzip:6`, `zstd`, `default`. */
export function formatCompression(compression: Compression | undefined): string {
  if (compression === undefined) return 'default';
  return compression.level === undefined
    ? compression.method
    : `${compression.method}:${compression.level}`;
}
