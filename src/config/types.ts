/**
 * The resolved configuration: every field present and typed. Produced once by
 * `loadConfig` (src/config/load.ts); nothing downstream re-checks it.
 */

import type { BACKUP_FORMATS, CLONE_STRATEGIES, RUNNERS } from './schema.js';

/*
 * The value types below come from the schema (schema.ts), and every section is built from the
 * schema's inferred `SectionValues` by a resolver whose return type is the section type here:
 * a key read that the schema does not declare, or of the wrong type, does not compile.
 */

export type CloneStrategy = (typeof CLONE_STRATEGIES)[number];
export type Runner = (typeof RUNNERS)[number];
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

/**
 * How to reach a PostgreSQL server. `password` is never printed (see `redactUrl` and
 * `scrubSecret` in config/url.ts).
 */
export interface ConnectionParams {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** The database dbfast connects to for CREATE/DROP DATABASE (the maintenance database). */
  database: string;
  /** libpq sslmode (disable, prefer, require, verify-ca, verify-full), when given. */
  sslmode?: string;
}

export type ServerTarget =
  | {
      kind: 'external';
      /** Where the connection came from: a flag, dbfast.toml or the environment. */
      source: 'flag' | 'config' | 'env';
      connection: ConnectionParams;
    }
  | {
      kind: 'embedded';
      /** Folder holding the embedded server's data, log and state (`.dbfast/server`). */
      dir: string;
    };

export interface EnvironmentConfig {
  name: string;
  includeDirectories: string[];
  excludeDirectories: string[];
  includeFiles: string[];
  excludeFiles: string[];
  /** Milliseconds after which a template of this environment is stale, if set. */
  ttlMs: number | undefined;
  /** Pool members kept ready at the start (0: no pool). */
  poolSize: number;
  /** Bounds of the pool's adaptive target ([pool] min / max; both default to poolSize). */
  poolMin: number;
  poolMax: number;
}

export interface RemoteConfig {
  name: string;
  /** The URL as written (after ${VAR} interpolation); may hold a password: never print it. */
  url: string;
  connection: ConnectionParams;
  passwordEnv: string | undefined;
  environment: string | undefined;
  allowDestructive: boolean;
  backupBeforeDeploy: boolean;
  requireConfirmation: boolean;
}

export interface ResolvedConfig {
  /** The dbfast.toml that was read, or undefined when none was found. */
  configPath: string | undefined;
  /** The folder relative paths resolve against: the config file's folder, else the cwd. */
  rootDir: string;
  /** The project's identity, written into the label of every database it makes. */
  project: {
    /** `[project] name`, default the template_name. */
    name: string;
  };
  database: {
    target: ServerTarget;
    templateName: string;
    cloneStrategy: CloneStrategy;
  };
  repository: {
    path: string;
    type: string;
    runner: Runner;
    /** Extra files (absolute globs) whose contents are part of the template fingerprint. */
    extraInputs: string[];
    /** Session settings applied before each file runs (e.g. search_path). */
    settings: Record<string, string>;
    /** psql variables: `-v name=value` for the psql runner, set before each file by the pg runner. */
    variables: Record<string, string>;
    /** File name endings that count as repository files (`.sql`, `.csv`, `.sql.postgres` …), lower case. */
    extensions: string[];
    /** The client encoding SQL files start in and CSV files are written in (PostgreSQL name). */
    encoding: string;
  };
  environments: Record<string, EnvironmentConfig>;
  /** The environment used when a command is given no --env. */
  defaultEnvironment: string;
  remotes: Record<string, RemoteConfig>;
  backups: {
    dir: string;
    keepLast: number | undefined;
    maxAgeMs: number | undefined;
    format: BackupFormat;
    compress: string | undefined;
    jobs: number;
  };
  server: {
    /** Folder with pg_dump/pg_restore/psql to prefer, if set. */
    binDir: string | undefined;
    /** OS user the embedded server runs as when dbfast runs as root. */
    osUser: string;
  };
  /** Retention of templates that are not current here (gc, `template drop --stale`). */
  templates: {
    /** Non-current templates always kept per environment, newest first. */
    keep: number;
    /** A non-current template is dropped only when unused (built or cloned) for this long. */
    unusedForMs: number;
  };
  pool: {
    size: number;
    /** `[pool] min` / `max` as given (each defaults to an environment's pool size). */
    min: number | undefined;
    max: number | undefined;
  };
}
