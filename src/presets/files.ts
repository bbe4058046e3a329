import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DbfastError, ExitCode } from '../errors.js';
import type { MigrationUnit } from './types.js';

/** Helpers every preset uses: listing a folder, reading lines, building units. */

/** A line of a file with its offsets: `start` of its first character, `end` after its newline. */
export interface Line {
  text: string;
  start: number;
  end: number;
}

/** The lines of `text` with their character offsets (the newline belongs to its line). */
export function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ text: text.slice(start, nl < 0 ? end : nl).replace(/\r$/, ''), start, end });
    start = end;
  }
  return out;
}

/**
 * Regular files directly in `dir` (or under it, with `recursive`), as `/`-separated paths
 * relative to `root`. Symbolic links are not followed, as in the plain repository scan.
 */
export async function listFiles(
  root: string,
  dir: string = root,
  recursive = false,
): Promise<string[]> {
  if (!existsSync(dir)) {
    throw new DbfastError('repository.missing', `The migrations folder ${dir} does not exist.`, {
      hint: 'Set [repository] path in dbfast.toml to the folder your migration tool writes (relative to the file).',
      exitCode: ExitCode.usage,
    });
  }
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive) out.push(...(await listFiles(root, path, true)));
    if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

/** The file's text (UTF-8). */
export function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/** A unit for the .sql file at `path` (relative to `root`). */
export function sqlUnit(
  root: string,
  path: string,
  extra: Omit<MigrationUnit, 'path' | 'absolutePath' | 'kind'> = {},
): MigrationUnit {
  // The tools read their files as UTF-8, whatever encoding dbfast's plain repository uses.
  return {
    path,
    absolutePath: join(root, ...path.split('/')),
    kind: 'sql',
    encoding: 'UTF8',
    ...extra,
  };
}

/** Ascending numeric order of digit strings of any length (20-digit timestamps included). */
export function compareVersions(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

/** A preset's refusal: the tool itself would not run this folder. */
export function layoutError(code: string, message: string, hint: string): DbfastError {
  return new DbfastError(`preset.${code}`, message, { hint, exitCode: 1 });
}

/** Two migrations with one version: every tool refuses that. */
export function assertUniqueVersions(
  tool: string,
  units: { version: string; path: string }[],
): void {
  const seen = new Map<string, string>();
  for (const { version, path } of units) {
    const other = seen.get(BigInt(version).toString());
    if (other !== undefined) {
      throw layoutError(
        'duplicate_version',
        `${other} and ${path} have the same version ${version}; ${tool} refuses that.`,
        'Renumber one of them.',
      );
    }
    seen.set(BigInt(version).toString(), path);
  }
}
