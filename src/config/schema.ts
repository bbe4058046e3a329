/**
 * The shape of dbfast.toml. Every key dbfast accepts is listed here, with its type; the
 * original DBFast keys are included so an existing dbfast.toml keeps working.
 */

import { REPOSITORY_TYPES } from '../presets/registry.js';

export type FieldType = 'string' | 'integer' | 'boolean' | 'string[]' | 'string-map';

export interface FieldSpec {
  type: FieldType;
  /** Allowed values for a string. */
  oneOf?: readonly string[];
  /** Smallest allowed integer. */
  min?: number;
  /** The value is a duration such as `15m` or `7d`. */
  duration?: boolean;
}

export interface SectionSpec {
  /** `map`: a table of named sub-tables, each with these fields ([environments.NAME]). */
  kind: 'section' | 'map';
  fields: Record<string, FieldSpec>;
}

import { SSL_MODES } from './url.js';

const str: FieldSpec = { type: 'string' };
const bool: FieldSpec = { type: 'boolean' };
const strings: FieldSpec = { type: 'string[]' };
const duration: FieldSpec = { type: 'string', duration: true };
const count = (min: number): FieldSpec => ({ type: 'integer', min });

export const CONFIG_SCHEMA: Record<string, SectionSpec> = {
  project: {
    kind: 'section',
    fields: {
      name: str,
    },
  },
  database: {
    kind: 'section',
    fields: {
      url: str,
      host: str,
      port: count(1),
      user: str,
      password_env: str,
      database: str,
      sslmode: { type: 'string', oneOf: SSL_MODES },
      template_name: str,
      clone_strategy: { type: 'string', oneOf: ['auto', 'wal_log', 'file_copy'] },
    },
  },
  repository: {
    kind: 'section',
    fields: {
      path: str,
      type: { type: 'string', oneOf: REPOSITORY_TYPES },
      runner: { type: 'string', oneOf: ['pg', 'psql'] },
      extra_inputs: strings,
      settings: { type: 'string-map' },
      variables: { type: 'string-map' },
      extensions: strings,
      encoding: str,
    },
  },
  environments: {
    kind: 'map',
    fields: {
      include_directories: strings,
      exclude_directories: strings,
      include_files: strings,
      exclude_files: strings,
      ttl: duration,
      pool_size: count(0),
    },
  },
  remotes: {
    kind: 'map',
    fields: {
      url: str,
      password_env: str,
      environment: str,
      allow_destructive: bool,
      backup_before_deploy: bool,
      require_confirmation: bool,
    },
  },
  backups: {
    kind: 'section',
    fields: {
      dir: str,
      keep_last: count(1),
      max_age: duration,
      format: { type: 'string', oneOf: ['custom', 'directory'] },
      compress: str,
      jobs: count(1),
    },
  },
  server: {
    kind: 'section',
    fields: {
      bin_dir: str,
      os_user: str,
    },
  },
  templates: {
    kind: 'section',
    fields: {
      keep: count(0),
      unused_for: duration,
    },
  },
  pool: {
    kind: 'section',
    fields: {
      size: count(0),
    },
  },
};
