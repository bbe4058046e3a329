import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { TemplateMetadata } from '../catalog/label.js';
import type { EnvironmentConfig, ResolvedConfig } from '../config/types.js';
import { DbfastError, ExitCode } from '../errors.js';
import { runText } from '../presets/mask.js';
import { type ProjectScan, scanProject } from '../presets/scan.js';
import type { MigrationUnit } from '../presets/types.js';
import { expandGlob, globListMatcher } from '../sql/glob.js';
import { HashCache } from './hash-cache.js';
import { readsContext, readsOf } from './includes.js';

/** Bump when what goes into a template changes in a way old templates do not have. */
export const FINGERPRINT_FORMAT = 2;

/** Everything that changes a template's content, and the hash of it all. */
export interface Fingerprint {
  hash: string;
  formatVersion: number;
  env: string;
  configHash: string;
  serverMajor: number;
  /** Repository-relative path -> sha256, in run order. */
  files: Record<string, string>;
  /** Absolute path -> sha256 of the `extra_inputs` files. */
  extraInputs: Record<string, string>;
}

/**
 * Hash the ordered selected files with their contents, the environment's configuration,
 * the repository settings, the server's major version, dbfast's fingerprint format and the
 * extra inputs. Unchanged files are not re-read (a stat-based cache, safe against
 * same-second edits: see HashCache).
 */
export async function computeFingerprint(
  config: ResolvedConfig,
  env: EnvironmentConfig,
  serverMajor: number,
): Promise<Fingerprint> {
  const cache = await HashCache.open(config.rootDir);
  const scan = await scanProject(config, env);
  const files = await repositoryHashes(config, cache, scan);
  const extraInputs = await extraInputHashes(config, cache);
  await cache.save();
  const configHash = configHashOf(config, env, scan);
  const hash = sha256(
    JSON.stringify({
      FINGERPRINT_FORMAT,
      env: env.name,
      configHash,
      serverMajor,
      files: Object.entries(files),
      extraInputs: Object.entries(extraInputs).sort(),
    }),
  );
  return {
    hash,
    formatVersion: FINGERPRINT_FORMAT,
    env: env.name,
    configHash,
    serverMajor,
    files,
    extraInputs,
  };
}

/**
 * Repository-relative path -> sha256 of every file the build reads, in run order: the
 * selected files, the files they pull in with \i / \ir (or read by \copy), a preset's other
 * inputs (an order file, a journal) and the rows it records.
 */
async function repositoryHashes(
  config: ResolvedConfig,
  cache: HashCache,
  scan: ProjectScan,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const repositoryFiles = scan.files;
  const hashes = await Promise.all(repositoryFiles.map((file) => unitHash(cache, file)));
  repositoryFiles.forEach((file, i) => {
    files[file.path] = hashes[i] as string;
  });
  const relativePath = (path: string): string =>
    relative(config.repository.path, path).split(sep).join('/');
  // Files pulled in that are not repository files themselves: their content is part of the
  // result too (see includes.ts).
  const own = new Set(repositoryFiles.map((file) => file.absolutePath));
  const context = readsContext(config);
  for (const file of repositoryFiles) {
    if (file.kind !== 'sql') continue;
    for (const path of await readsOf(
      config,
      cache,
      file.absolutePath,
      files[file.path] as string,
      context,
    )) {
      if (own.has(path)) continue;
      // Deleted since it was read: the build will say so; here it is simply changed.
      files[relativePath(path)] = await cache.hash(path).catch(() => 'missing');
    }
  }
  for (const path of scan.inputs) files[relativePath(path)] = await cache.hash(path);
  if (scan.bookkeeping.length > 0)
    files[`(${scan.type} bookkeeping)`] = sha256(JSON.stringify(scan.bookkeeping));
  return files;
}

/** Absolute path -> sha256 of the `extra_inputs` files (`!glob` entries take files back out). */
async function extraInputHashes(
  config: ResolvedConfig,
  cache: HashCache,
): Promise<Record<string, string>> {
  const extraInputs: Record<string, string> = {};
  const inputs = config.repository.extraInputs;
  const negated = inputs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const takenOut = negated.length === 0 ? () => false : globListMatcher(negated);
  for (const glob of inputs.filter((glob) => !glob.startsWith('!'))) {
    const matches = await expandGlob(glob);
    if (matches.length === 0) {
      throw new DbfastError(
        'template.extra_input_missing',
        `The extra input "${glob}" matches no file.`,
        {
          hint: 'Fix [repository] extra_inputs in dbfast.toml (paths are relative to the file).',
          exitCode: ExitCode.usage,
        },
      );
    }
    for (const path of matches) {
      if (takenOut(path.split(sep).join('/'))) continue;
      extraInputs[path] = await cache.hash(path);
    }
  }
  return extraInputs;
}

/** Hash of the environment's configuration and the repository settings. */
function configHashOf(config: ResolvedConfig, env: EnvironmentConfig, scan: ProjectScan): string {
  return sha256(
    JSON.stringify({
      include: env.includeDirectories,
      exclude: env.excludeDirectories,
      includeFiles: env.includeFiles,
      excludeFiles: env.excludeFiles,
      runner: config.repository.runner,
      // Only for presets: a plain repository's hash stays what it was before presets existed.
      ...(scan.type === 'plain' ? {} : { type: scan.type }),
      settings: Object.entries(config.repository.settings).sort(),
      variables: Object.entries(config.repository.variables).sort(),
      extensions: config.repository.extensions,
      encoding: config.repository.encoding,
    }),
  );
}

/**
 * A file's hash as the fingerprint records it: its bytes, or, for a preset's unit, the text
 * that runs (the up-section) and its mode, so an edit of a down-section changes nothing.
 */
async function unitHash(cache: HashCache, unit: MigrationUnit): Promise<string> {
  if (unit.keep === undefined && unit.breakpoint === undefined && unit.noTransaction === undefined)
    return cache.hash(unit.absolutePath);
  const text = runText(await readFile(unit.absolutePath, 'utf8'), unit);
  return sha256(JSON.stringify({ text, noTransaction: unit.noTransaction ?? null }));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Why a template's recorded inputs differ from the current ones, one reason a line. */
export interface Explanation {
  added: string[];
  removed: string[];
  changed: string[];
  other: string[];
}

export function explain(previous: TemplateMetadata | undefined, current: Fingerprint): Explanation {
  if (previous === undefined)
    return {
      added: Object.keys(current.files),
      removed: [],
      changed: [],
      other: ['no template has been built yet'],
    };
  const diff = (before: Record<string, string>, after: Record<string, string>) => ({
    added: Object.keys(after).filter((path) => before[path] === undefined),
    removed: Object.keys(before).filter((path) => after[path] === undefined),
    changed: Object.keys(after).filter(
      (path) => before[path] !== undefined && before[path] !== after[path],
    ),
  });
  const files = diff(previous.files, current.files);
  const extra = diff(previous.extraInputs ?? {}, current.extraInputs);
  const other: string[] = [];
  for (const path of extra.added) other.push(`extra input added: ${path}`);
  for (const path of extra.removed) other.push(`extra input removed: ${path}`);
  for (const path of extra.changed) other.push(`extra input changed: ${path}`);
  if (previous.configHash !== current.configHash)
    other.push(
      `the configuration of environment "${current.env}" (directories, files, runner or settings) changed`,
    );
  if (previous.serverMajor !== current.serverMajor)
    other.push(
      `the server's major version changed (${previous.serverMajor} -> ${current.serverMajor})`,
    );
  if (previous.formatVersion !== current.formatVersion)
    other.push(
      `dbfast's fingerprint format changed (${previous.formatVersion} -> ${current.formatVersion})`,
    );
  const order = Object.keys(current.files).filter((path) => previous.files[path] !== undefined);
  const previousOrder = Object.keys(previous.files).filter(
    (path) => current.files[path] !== undefined,
  );
  if (
    files.added.length + files.removed.length + files.changed.length === 0 &&
    order.join('\n') !== previousOrder.join('\n')
  ) {
    other.push('the order of the files changed');
  }
  return { ...files, other };
}

/** Human lines for an explanation: "changed: 0_schema/001.sql", … */
export function explanationLines(explanation: Explanation): string[] {
  return [
    ...explanation.added.map((path) => `added: ${path}`),
    ...explanation.removed.map((path) => `removed: ${path}`),
    ...explanation.changed.map((path) => `changed: ${path}`),
    ...explanation.other,
  ];
}
