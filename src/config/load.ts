import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { DbfastError, ExitCode, usageError } from '../errors.js';
import { resolveEnvironments } from './environments.js';
import { lineOf } from './line-of.js';
import { resolveRemotes } from './remotes.js';
import { resolveRepository } from './repository.js';
import {
  resolveBackups,
  resolveDatabase,
  resolvePool,
  resolveProject,
  resolveServer,
  resolveTemplates,
} from './sections.js';
import { resolveServerTarget, type TargetOptions } from './server-target.js';
import type { ResolvedConfig } from './types.js';
import { validateConfig } from './validate.js';

export const CONFIG_FILE_NAME = 'dbfast.toml';

export interface LoadConfigOptions {
  /** An explicit dbfast.toml (`--config`); otherwise the cwd and its parents are searched. */
  configPath?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** `--database-url`: wins over dbfast.toml and the environment. */
  databaseUrl?: string;
}

/** Find dbfast.toml: the explicit path, else the nearest one in the cwd or a parent folder. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw usageError(
        'config.not_found',
        `Config file ${path} does not exist.`,
        'Check --config, or run `dbfast init`.',
      );
    }
    return path;
  }
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Load, validate and resolve the configuration. Reports every problem at once (one
 * DbfastError with `problems`), and returns a ResolvedConfig whose fields are all set.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const configPath = findConfigFile(cwd, options.configPath);
  const text = configPath === undefined ? '' : readFileSync(configPath, 'utf8');
  return resolveConfig(text, {
    configPath,
    rootDir: configPath ? dirname(configPath) : resolve(cwd),
    env,
    databaseUrl: options.databaseUrl,
  });
}

export interface ResolveOptions extends TargetOptions {
  /** The dbfast.toml the text came from, for messages; undefined for an inline config. */
  configPath: string | undefined;
}

/**
 * Resolve TOML text (possibly empty) into a ResolvedConfig, section by section. Every problem
 * of every section is collected first and thrown together (one DbfastError with `problems`).
 * Exported for inline configs.
 */
export function resolveConfig(text: string, options: ResolveOptions): ResolvedConfig {
  const where = options.configPath ?? 'inline config';
  const raw = parseToml(text, where);
  const { config, problems } = validateConfig(raw, options.env, (path) => lineOf(text, path));
  const rootPath = (p: string): string => (isAbsolute(p) ? p : resolve(options.rootDir, p));

  const target = resolveServerTarget(config.database, options, problems);
  const pool = resolvePool(config.pool);
  const { environments, defaultEnvironment } = resolveEnvironments(
    config.environments,
    pool,
    problems,
  );
  const database = resolveDatabase(config.database, target, Object.keys(environments), problems);
  const project = resolveProject(config.project, database.templateName, problems);
  const remotes = resolveRemotes(config.remotes, environments, options.env, problems);
  const repository = resolveRepository(config.repository, rootPath, problems);
  if (problems.length > 0) throw configProblems(where, problems);

  return {
    configPath: options.configPath,
    rootDir: options.rootDir,
    project,
    database,
    repository,
    environments,
    defaultEnvironment,
    remotes,
    backups: resolveBackups(config.backups, rootPath),
    server: resolveServer(config.server, rootPath),
    templates: resolveTemplates(config.templates),
    pool,
  };
}

/** The TOML parsed; a syntax error becomes a usage error pointing at file:line:column. */
function parseToml(text: string, where: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (cause) {
    if (!(cause instanceof TomlError)) throw cause;
    const first = cause.message.split('\n')[0] ?? cause.message;
    throw new DbfastError('config.syntax', `${where}:${cause.line}:${cause.column}: ${first}`, {
      hint: 'Fix the TOML syntax at that line and column.',
      exitCode: ExitCode.usage,
      cause,
      location: { file: where, line: cause.line, column: cause.column },
    });
  }
}

function configProblems(where: string, problems: string[]): DbfastError {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new DbfastError(
    'config.invalid',
    `${where} has ${count}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      hint: 'Fix every problem listed; see the configuration reference in the README.',
      exitCode: ExitCode.usage,
      problems,
    },
  );
}
