import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { EnvironmentConfig } from '../config/types.js';
import { DbfastError } from '../errors.js';
import { globMatcher } from './glob.js';
import {
  directoryPath,
  isUnder,
  listRepository,
  type RepositoryFile,
  selector,
  uncountedSqlFiles,
} from './scan.js';

/** What `checkEnvironment` found. Errors make an environment unusable; warnings do not. */
export interface EnvironmentCheck {
  /** True when there are no errors (warnings allowed). */
  ok: boolean;
  env: string;
  /** The files the environment selects, in run order (relative paths). */
  files: string[];
  errors: string[];
  warnings: string[];
}

/** Files named in a warning before it says "… and N more". */
const LISTED = 20;

/**
 * Check one environment of a plain repository against the repository on disk. Errors: an
 * include/exclude directory that is missing (or outside the repository), a directory both
 * included and excluded, an empty selection. Warnings: globs that match nothing, a
 * production-like environment (`prod`, `production`, `live` as a word of its name) that
 * selects seed directories, and repository files that no environment (of `environments`)
 * selects. Never throws for what it finds (see `assertEnvironmentValid`).
 */
export async function checkEnvironment(
  repository: { path: string; extensions: readonly string[] },
  env: EnvironmentConfig,
  environments: EnvironmentConfig[],
): Promise<EnvironmentCheck> {
  const root = repository.path;
  const all = await listRepository(root, repository.extensions);
  const selects = selector(env);
  const selected = all.filter((file) => selects(file.path));
  const errors: string[] = [];
  const warnings: string[] = [];

  for (const key of ['includeDirectories', 'excludeDirectories'] as const) {
    for (const dir of env[key]) {
      const problem = await directoryProblem(root, dir);
      if (problem === undefined) continue;
      const line = `${tomlKey(key)}: "${dir}" ${problem.text}`;
      (problem.severity === 'error' ? errors : warnings).push(line);
    }
  }
  for (const included of env.includeDirectories) {
    const excludedBy = env.excludeDirectories.find((dir) => contains(dir, included));
    if (excludedBy !== undefined) {
      errors.push(
        directoryPath(excludedBy) === directoryPath(included)
          ? `"${included}" is both included and excluded (exclude wins: it selects nothing)`
          : `"${included}" is included but lies inside excluded "${excludedBy}" (it selects nothing)`,
      );
    }
  }
  warnings.push(...globWarnings(env, all));
  const seeds = seedDirectories(selected);
  if (looksLikeProduction(env.name) && seeds.length > 0) {
    warnings.push(
      `"${env.name}" looks like a production environment but selects seed data: ${seeds.join(', ')} (add them to exclude_directories if that is not intended)`,
    );
  }
  const selectors = environments.map(selector);
  const orphans = all.filter((file) => !selectors.some((selects) => selects(file.path)));
  if (orphans.length > 0) {
    warnings.push(
      `${orphans.length} file${orphans.length === 1 ? ' is' : 's are'} selected by no environment: ${listPaths(orphans)}`,
    );
  }
  const uncounted = await uncountedSqlFiles(root, repository.extensions);
  if (uncounted.length > 0) {
    warnings.push(
      `${uncounted.length} file${uncounted.length === 1 ? ' looks' : 's look'} like SQL but ${uncounted.length === 1 ? 'is' : 'are'} not run (the name does not end with ${repository.extensions.join(', ')}; add its ending to [repository] extensions): ${listPaths(uncounted.map((path) => ({ path })))}`,
    );
  }
  if (selected.length === 0) {
    errors.push(`"${env.name}" selects no files from ${root}`);
  }
  return {
    ok: errors.length === 0,
    env: env.name,
    files: selected.map((file) => file.path),
    errors,
    warnings,
  };
}

/**
 * Throw `env.invalid` (exit code 1) listing every error and warning when `validation` has
 * errors; return quietly when it has only warnings.
 */
export function assertEnvironmentValid(validation: EnvironmentCheck): void {
  if (validation.ok) return;
  const { errors, warnings } = validation;
  const bullets = (lines: string[]): string => lines.map((line) => `\n  - ${line}`).join('');
  const message =
    `Environment "${validation.env}" has ${errors.length} error${errors.length === 1 ? '' : 's'}:${bullets(errors)}` +
    (warnings.length > 0 ? `\nwarnings:${bullets(warnings)}` : '');
  throw new DbfastError('env.invalid', message, {
    hint: `Fix [environments.${validation.env}] in dbfast.toml; \`dbfast environments\` lists each environment's directories and file count.`,
    problems: [...errors, ...warnings.map((warning) => `warning: ${warning}`)],
  });
}

/** Whether directory `outer` is `inner` or one of its parents. */
function contains(outer: string, inner: string): boolean {
  return isUnder(directoryPath(inner), outer);
}

function tomlKey(key: 'includeDirectories' | 'excludeDirectories'): string {
  return key === 'includeDirectories' ? 'include_directories' : 'exclude_directories';
}

async function directoryProblem(
  root: string,
  dir: string,
): Promise<{ severity: 'error' | 'warning'; text: string } | undefined> {
  const clean = directoryPath(dir);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith('../') || clean.includes('/../')) {
    return { severity: 'error', text: 'is outside the repository (paths are relative to it)' };
  }
  // lstat, not stat: the scan does not follow symbolic links, so a linked folder selects nothing.
  const stat = await lstat(join(root, clean)).catch(() => undefined);
  if (stat === undefined) return { severity: 'error', text: `does not exist in ${root}` };
  if (stat.isSymbolicLink()) {
    return { severity: 'error', text: 'is a symbolic link, which dbfast does not follow' };
  }
  if (!stat.isDirectory()) {
    return { severity: 'warning', text: 'is a file, not a directory (include_files takes files)' };
  }
  return undefined;
}

/**
 * Globs that match nothing. Only warnings: a glob may name files that do not exist yet (an
 * exclude for `*.local.sql` files someone may add), while a directory name is a fixed name.
 */
function globWarnings(env: EnvironmentConfig, all: RepositoryFile[]): string[] {
  const directoryOnly: EnvironmentConfig = { ...env, includeFiles: [], excludeFiles: [] };
  const inDirectory = selector(directoryOnly);
  const inDirectories = all.filter((file) => inDirectory(file.path));
  const warnings: string[] = [];
  for (const [key, globs] of [
    ['include_files', env.includeFiles],
    ['exclude_files', env.excludeFiles],
  ] as const) {
    for (const glob of globs) {
      const matches = globMatcher(glob);
      if (inDirectories.some((file) => matches(file.path))) continue;
      warnings.push(
        all.some((file) => matches(file.path))
          ? `${key}: "${glob}" matches no file in the environment's directories`
          : `${key}: "${glob}" matches no file in the repository`,
      );
    }
  }
  return warnings;
}

/** `prod`, `production` or `live` as a word: `prod`, `eu-prod`, `live_2`, `euProd`; not `products`. */
export function looksLikeProduction(name: string): boolean {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/);
  return words.some((word) => word === 'prod' || word === 'production' || word === 'live');
}

/** The directories (up to the segment whose name contains "seed") the files come from. */
function seedDirectories(files: RepositoryFile[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/').slice(0, -1);
    const at = segments.findIndex((segment) => /seed/i.test(segment));
    if (at >= 0) dirs.add(segments.slice(0, at + 1).join('/'));
  }
  return [...dirs];
}

function listPaths(files: { path: string }[]): string {
  const shown = files.slice(0, LISTED).map((file) => file.path);
  const more = files.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` … and ${more} more` : '');
}
