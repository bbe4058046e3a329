import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { nameRoomProblem } from '../catalog/names.js';
import { parseDuration } from '../duration.js';
import { DbfastError, ExitCode, usageError } from '../errors.js';
import { lineOf } from './line-of.js';
import { resolveRepository } from './repository.js';
import { resolveServerTarget } from './server-target.js';
import type {
  BackupFormat,
  CloneStrategy,
  ConnectionParams,
  EnvironmentConfig,
  RemoteConfig,
  ResolvedConfig,
} from './types.js';
import { parseConnectionUrl } from './url.js';
import { type CheckedFields, validateConfig } from './validate.js';

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

export interface ResolveOptions {
  configPath: string | undefined;
  rootDir: string;
  env: Record<string, string | undefined>;
  databaseUrl?: string | undefined;
}

/** Resolve TOML text (possibly empty) into a ResolvedConfig. Exported for inline configs. */
export function resolveConfig(text: string, options: ResolveOptions): ResolvedConfig {
  const where = options.configPath ?? 'inline config';
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof TomlError) {
      const first = cause.message.split('\n')[0] ?? cause.message;
      throw new DbfastError('config.syntax', `${where}:${cause.line}:${cause.column}: ${first}`, {
        hint: 'Fix the TOML syntax at that line and column.',
        exitCode: ExitCode.usage,
        cause,
        location: { file: where, line: cause.line, column: cause.column },
      });
    }
    throw cause;
  }
  const { config, problems } = validateConfig(raw, options.env, (path) => lineOf(text, path));
  const section = (name: string): CheckedFields => config.sections[name] ?? {};
  const get = <T>(fields: CheckedFields, key: string): T | undefined =>
    fields[key] as T | undefined;
  const rootPath = (p: string): string => (isAbsolute(p) ? p : resolve(options.rootDir, p));

  const database = section('database');
  const target = resolveServerTarget(database, options, problems);

  const environments: Record<string, EnvironmentConfig> = {};
  const poolSize = get<number>(section('pool'), 'size') ?? 0;
  for (const [name, fields] of Object.entries(config.maps.environments ?? {})) {
    const ttl = get<string>(fields, 'ttl');
    environments[name] = {
      name,
      includeDirectories: get<string[]>(fields, 'include_directories') ?? [],
      excludeDirectories: get<string[]>(fields, 'exclude_directories') ?? [],
      includeFiles: get<string[]>(fields, 'include_files') ?? [],
      excludeFiles: get<string[]>(fields, 'exclude_files') ?? [],
      ttlMs: ttl === undefined ? undefined : parseDuration(ttl),
      poolSize: get<number>(fields, 'pool_size') ?? poolSize,
    };
  }
  if (Object.keys(environments).length === 0) {
    environments.default = {
      name: 'default',
      includeDirectories: [],
      excludeDirectories: [],
      includeFiles: [],
      excludeFiles: [],
      ttlMs: undefined,
      poolSize,
    };
  }

  const templateName = get<string>(database, 'template_name') ?? 'dbfast';
  for (const name of Object.keys(environments)) {
    const problem = nameRoomProblem(templateName, name);
    if (problem !== undefined) problems.push(`database.template_name: ${problem}`);
  }
  const projectName = get<string>(section('project'), 'name') ?? templateName;
  const projectProblem = projectNameProblem(projectName);
  if (projectProblem !== undefined) problems.push(`project.name: ${projectProblem}`);

  const remotes: Record<string, RemoteConfig> = {};
  for (const [name, fields] of Object.entries(config.maps.remotes ?? {})) {
    const url = get<string>(fields, 'url');
    if (url === undefined) {
      problems.push(`remotes.${name}.url: missing; every remote needs a url`);
      continue;
    }
    const environment = get<string>(fields, 'environment');
    if (environment !== undefined && environments[environment] === undefined) {
      problems.push(
        `remotes.${name}.environment: no environment "${environment}" is defined; known: ${Object.keys(environments).join(', ')}`,
      );
    }
    let connection: ConnectionParams;
    try {
      connection = parseConnectionUrl(url, `remotes.${name}.url`);
    } catch (error) {
      problems.push(`remotes.${name}.url: ${(error as Error).message}`);
      continue;
    }
    const passwordEnv = get<string>(fields, 'password_env');
    const password = passwordEnv === undefined ? undefined : options.env[passwordEnv];
    if (password !== undefined && password !== '') connection.password = password;
    remotes[name] = {
      name,
      url,
      connection,
      passwordEnv,
      environment,
      allowDestructive: get<boolean>(fields, 'allow_destructive') ?? false,
      backupBeforeDeploy: get<boolean>(fields, 'backup_before_deploy') ?? true,
      requireConfirmation:
        get<boolean>(fields, 'require_confirmation') ?? environment === 'production',
    };
  }

  const repository = resolveRepository(section('repository'), rootPath, problems);
  if (problems.length > 0) {
    throw new DbfastError(
      'config.invalid',
      `${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        hint: 'Fix every problem listed; see the configuration reference in the README.',
        exitCode: ExitCode.usage,
        problems,
      },
    );
  }

  const backups = section('backups');
  const server = section('server');
  const maxAge = get<string>(backups, 'max_age');
  const envNames = Object.keys(environments);
  return {
    configPath: options.configPath,
    rootDir: options.rootDir,
    project: { name: projectName },
    database: {
      target,
      templateName,
      cloneStrategy: get<CloneStrategy>(database, 'clone_strategy') ?? 'auto',
    },
    repository,
    environments,
    defaultEnvironment: envNames.includes('local') ? 'local' : (envNames[0] as string),
    remotes,
    backups: {
      dir: rootPath(get<string>(backups, 'dir') ?? '.dbfast/backups'),
      keepLast: get<number>(backups, 'keep_last'),
      maxAgeMs: maxAge === undefined ? undefined : parseDuration(maxAge),
      format: get<BackupFormat>(backups, 'format') ?? 'custom',
      compress: get<string>(backups, 'compress'),
      jobs: get<number>(backups, 'jobs') ?? 1,
    },
    server: {
      binDir: ((): string | undefined => {
        const dir = get<string>(server, 'bin_dir');
        return dir === undefined ? undefined : rootPath(dir);
      })(),
      osUser: get<string>(server, 'os_user') ?? 'postgres',
    },
    templates: {
      keep: get<number>(section('templates'), 'keep') ?? 1,
      unusedForMs: parseDuration(get<string>(section('templates'), 'unused_for') ?? '1d') ?? 0,
    },
    pool: { size: poolSize },
  };
}

/** Project names go into JSON labels only, but must be printable and reasonably short. */
function projectNameProblem(name: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (name.length === 0 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name))
    return `expected 1 to 100 printable characters, got ${JSON.stringify(name)}`;
  return undefined;
}
