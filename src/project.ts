import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import { loadConfig, resolveConfig } from './config/load.js';
import type { ConnectionParams, EnvironmentConfig, ResolvedConfig } from './config/types.js';
import { usageError } from './errors.js';
import type { Reporter } from './reporter.js';
import { withClient } from './server/connection.js';
import { ensureEmbeddedServer } from './server/embedded.js';

/** Where `openProject` (and `createDbfast`) read dbfast.toml from, and what overrides it. */
export interface OpenProjectOptions {
  /** Path of a dbfast.toml; when omitted, the cwd and its parents are searched. */
  configPath?: string;
  /** Inline dbfast.toml text, instead of a file (relative paths resolve against `cwd`). */
  configText?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** A connection URL that wins over dbfast.toml and the environment. */
  databaseUrl?: string;
  /** Receives progress and notices; core code never prints. */
  reporter?: Reporter;
}

/**
 * An opened dbfast project: its resolved configuration and a way to reach its server.
 * Holds no open connection between calls, so it is cheap and safe to share.
 */
export class Project {
  readonly config: ResolvedConfig;
  readonly reporter: Reporter;
  #connection: Promise<ConnectionParams> | undefined;

  constructor(config: ResolvedConfig, reporter: Reporter = {}) {
    this.config = config;
    this.reporter = reporter;
  }

  /** The project's identity: every label it writes names it, and it manages only those. */
  get id(): string {
    return this.config.project.name;
  }

  /**
   * How to reach the server (starting the embedded one on first use). The maintenance
   * database is in `database`; pass another database to `withClient` to reach it instead.
   */
  connection(): Promise<ConnectionParams> {
    if (this.#connection === undefined) {
      const target = this.config.database.target;
      this.#connection =
        target.kind === 'external'
          ? Promise.resolve(target.connection)
          : ensureEmbeddedServer(target.dir, {
              osUser: this.config.server.osUser,
              onNotice: (message) => this.reporter.notice?.(message),
              onStarted: (event) => this.reporter.serverStarted?.(event),
            });
      // A failed start must be retried by the next call, not remembered.
      this.#connection.catch(() => {
        this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  /** Run `fn` on a fresh connection to `database` (default: the maintenance database). */
  async withClient<T>(fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
    const params = await this.connection();
    return withClient(params, fn, database === undefined ? {} : { database });
  }

  /** The environment called `name` (or the default one), or a usage error listing the known ones. */
  environment(name?: string): EnvironmentConfig {
    const chosen = name ?? this.config.defaultEnvironment;
    const env = this.config.environments[chosen];
    if (env === undefined) {
      const known = Object.keys(this.config.environments).join(', ');
      throw usageError(
        'config.unknown_environment',
        `No environment "${chosen}" in ${this.config.configPath ?? 'the configuration'}.`,
        `Known environments: ${known}.`,
      );
    }
    return env;
  }
}

/**
 * Open a project from a dbfast.toml (found, or given) or from inline TOML text. Reads and
 * validates the whole configuration now and connects to nothing (the embedded server starts
 * on first use). Throws a DbfastError with exit code 2 listing every problem of an invalid
 * dbfast.toml (`config.*` codes, with line numbers where the parser gives them).
 */
export function openProject(options: OpenProjectOptions = {}): Project {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const config =
    options.configText !== undefined
      ? resolveConfig(options.configText, {
          configPath:
            options.configPath === undefined ? undefined : resolve(cwd, options.configPath),
          rootDir:
            options.configPath === undefined
              ? resolve(cwd)
              : dirname(resolve(cwd, options.configPath)),
          env,
          databaseUrl: options.databaseUrl,
        })
      : loadConfig({
          cwd,
          env,
          ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
          ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
        });
  return new Project(config, options.reporter);
}
