/**
 * The shape of dbfast.toml: every key dbfast accepts, with its type. This is the ONE source
 * of the config's shape: the validator (validate.ts) checks a file against it, and the types
 * of the checked values (`SectionValues`) are inferred from it, so a section resolver that
 * reads a key this schema does not declare, or reads it as the wrong type, does not compile.
 * The original DBFast keys are included so an existing dbfast.toml keeps working.
 */

import { REPOSITORY_TYPES } from './repository-types.js';
import { SSL_MODES } from './url.js';

/** `[database] clone_strategy` values. */
export const CLONE_STRATEGIES = ['auto', 'wal_log', 'file_copy'] as const;
/** `[repository] runner` values. */
export const RUNNERS = ['pg', 'psql'] as const;
/** `[repository] extensions` when not set: the file endings of a plain repository. */
export const DEFAULT_EXTENSIONS = ['.sql', '.csv'];
/** `[backups] format` values. */
export const BACKUP_FORMATS = ['custom', 'directory'] as const;

/** One key: what the file must hold there, and what the checked value is (see `ValueOf`). */
export type FieldSpec =
  /** A string, after ${VAR} interpolation; with `oneOf`, one of those values. */
  | { readonly type: 'string'; readonly oneOf?: readonly string[] }
  /** A duration such as `15m` or `7d` (a string in the file), checked as milliseconds. */
  | { readonly type: 'duration' }
  /** An integer of at least `min`. */
  | { readonly type: 'integer'; readonly min: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'string[]' }
  /** A table of strings (`[repository.settings]`). */
  | { readonly type: 'string-map' };

type Fields = Readonly<Record<string, FieldSpec>>;

/** `section`: one table ([database]); `map`: a table of named tables ([environments.NAME]). */
export interface SectionSpec<F extends Fields = Fields> {
  readonly kind: 'section' | 'map';
  readonly fields: F;
}

/** The TypeScript type of a checked value of field `F`. */
export type ValueOf<F extends FieldSpec> = F extends { type: 'string'; oneOf: readonly (infer V)[] }
  ? V
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'duration' | 'integer' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : F extends { type: 'string[]' }
          ? string[]
          : Record<string, string>;

/** The checked values of one table; a key the file does not set is absent (its default applies). */
export type Values<F extends Fields> = { -readonly [K in keyof F]?: ValueOf<F[K]> };

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'string[]' } as const;
const stringMap = { type: 'string-map' } as const;
const duration = { type: 'duration' } as const;
const count = (min: number): { type: 'integer'; min: number } => ({ type: 'integer', min });
const oneOf = <const V extends readonly string[]>(values: V): { type: 'string'; oneOf: V } => ({
  type: 'string',
  oneOf: values,
});
const section = <const F extends Fields>(fields: F): SectionSpec<F> & { kind: 'section' } => ({
  kind: 'section',
  fields,
});
const map = <const F extends Fields>(fields: F): SectionSpec<F> & { kind: 'map' } => ({
  kind: 'map',
  fields,
});

export const CONFIG_SCHEMA = {
  project: section({ name: str }),
  database: section({
    url: str,
    host: str,
    port: count(1),
    user: str,
    password_env: str,
    database: str,
    sslmode: oneOf(SSL_MODES),
    template_name: str,
    clone_strategy: oneOf(CLONE_STRATEGIES),
  }),
  repository: section({
    path: str,
    type: oneOf(REPOSITORY_TYPES),
    runner: oneOf(RUNNERS),
    extra_inputs: strings,
    settings: stringMap,
    variables: stringMap,
    extensions: strings,
    encoding: str,
  }),
  environments: map({
    include_directories: strings,
    exclude_directories: strings,
    include_files: strings,
    exclude_files: strings,
    ttl: duration,
    pool_size: count(0),
  }),
  remotes: map({
    url: str,
    password_env: str,
    environment: str,
    allow_destructive: bool,
    backup_before_deploy: bool,
    require_confirmation: bool,
  }),
  backups: section({
    dir: str,
    keep_last: count(1),
    max_age: duration,
    format: oneOf(BACKUP_FORMATS),
    compress: str,
    jobs: count(1),
  }),
  server: section({ bin_dir: str, os_user: str }),
  templates: section({ keep: count(0), unused_for: duration }),
  pool: section({ size: count(0), min: count(0), max: count(0) }),
} satisfies Record<string, SectionSpec>;

type Schema = typeof CONFIG_SCHEMA;
export type SectionName = keyof Schema;

/** The checked values of `[name]` (or of one `[name.ENTRY]` of a map section). */
export type SectionValues<N extends SectionName> = Values<Schema[N]['fields']>;

/**
 * A checked dbfast.toml: every section present (empty when the file has none), map sections
 * as entry name -> values.
 */
export type CheckedConfig = {
  [N in SectionName]: Schema[N] extends { kind: 'map' }
    ? Record<string, SectionValues<N>>
    : SectionValues<N>;
};
