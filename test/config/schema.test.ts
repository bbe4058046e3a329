import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HASH_LENGTH, MAX_BASE_BYTES, MAX_IDENTIFIER_BYTES } from '../../src/config/name-room.js';
import {
  defaultRepositoryPath,
  PRESET_DEFAULT_PATHS,
  REPOSITORY_TYPES,
} from '../../src/config/repository-types.js';
import { CONFIG_SCHEMA, type SectionValues } from '../../src/config/schema.js';
import type {
  BackupFormat,
  CloneStrategy,
  ResolvedConfig,
  Runner,
} from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { PRESETS, presetFor } from '../../src/presets/registry.js';
import { problemsOf, resolveInline } from '../helpers/config.js';

describe('config schema: one source for the types', () => {
  it('infers the checked value types from the schema (checked by tsc in `npm run lint`)', () => {
    expectTypeOf<SectionValues<'database'>['port']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SectionValues<'database'>['sslmode']>().toEqualTypeOf<
      'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full' | undefined
    >();
    expectTypeOf<SectionValues<'environments'>['ttl']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<SectionValues<'repository'>['settings']>().toEqualTypeOf<
      Record<string, string> | undefined
    >();
    expectTypeOf<SectionValues<'remotes'>['allow_destructive']>().toEqualTypeOf<
      boolean | undefined
    >();
    expectTypeOf<CloneStrategy>().toEqualTypeOf<'auto' | 'wal_log' | 'file_copy'>();
    expectTypeOf<Runner>().toEqualTypeOf<'pg' | 'psql'>();
    expectTypeOf<BackupFormat>().toEqualTypeOf<'custom' | 'directory'>();
    expectTypeOf<ResolvedConfig['backups']['format']>().toEqualTypeOf<BackupFormat>();
    const pool: SectionValues<'pool'> = {};
    // @ts-expect-error a key the schema does not declare cannot be read
    expect(pool.no_such_key).toBeUndefined();
  });

  it('checks values into their declared types: durations in milliseconds', () => {
    const { config, problems } = validateConfig(
      {
        environments: { local: { ttl: '1h30m', pool_size: 2 } },
        backups: { max_age: '7d', format: 'directory' },
        templates: { unused_for: '90s' },
      },
      {},
    );
    expect(problems).toEqual([]);
    expect(config.environments.local).toEqual({ ttl: 5_400_000, pool_size: 2 });
    expect(config.backups).toEqual({ max_age: 604_800_000, format: 'directory' });
    expect(config.templates.unused_for).toBe(90_000);
    expect(config.database).toEqual({});
  });

  it('rejects keys named like Object.prototype members as unknown', () => {
    const error = problemsOf('[constructor]\nx = 1\n[pool]\ntoString = 1\n');
    expect(error.problems).toEqual([
      expect.stringMatching(/^constructor \(line 1\): unknown section; known: project, /),
      expect.stringMatching(/^pool\.toString \(line 4\): unknown key; known: /),
    ]);
  });

  it("is what the README's configuration reference shows: every key, nothing else", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## Configuration[\s\S]*?```toml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const documented: Record<string, Set<string>> = {};
    let section = '';
    for (const line of block.split('\n')) {
      const header = /^\[([a-z_]+)[.\]]/.exec(line);
      if (header?.[1] !== undefined) {
        section = header[1];
        documented[section] ??= new Set();
        continue;
      }
      // `key = …` or `# key = …`, and `# include_files / exclude_files = …`
      const keys = /^#?\s*([a-z_]+(?:\s*\/\s*[a-z_]+)*)\s*=/.exec(line)?.[1];
      for (const key of keys?.split('/') ?? []) documented[section]?.add(key.trim());
    }
    const sorted = (keys: Iterable<string>): string[] => [...keys].sort();
    expect(
      Object.fromEntries(Object.entries(documented).map(([name, keys]) => [name, sorted(keys)])),
    ).toEqual(
      Object.fromEntries(
        Object.entries(CONFIG_SCHEMA).map(([name, spec]) => [
          name,
          sorted(Object.keys(spec.fields)),
        ]),
      ),
    );
  });

  it('lists every section the resolved config is built from', () => {
    expect(Object.keys(CONFIG_SCHEMA)).toEqual([
      'project',
      'database',
      'repository',
      'environments',
      'remotes',
      'backups',
      'server',
      'templates',
      'pool',
    ]);
  });
});

describe('config sections: defaults and resolution', () => {
  it('fills every default when the file sets nothing', () => {
    const config = resolveInline('');
    expect(config.project).toEqual({ name: 'dbfast' });
    expect(config.database).toMatchObject({ templateName: 'dbfast', cloneStrategy: 'auto' });
    expect(config.repository).toMatchObject({
      type: 'plain',
      runner: 'pg',
      extraInputs: [],
      settings: {},
      variables: {},
      extensions: ['.sql', '.csv'],
      encoding: 'UTF8',
    });
    expect(config.environments.default).toEqual({
      name: 'default',
      includeDirectories: [],
      excludeDirectories: [],
      includeFiles: [],
      excludeFiles: [],
      ttlMs: undefined,
      poolSize: 0,
      poolMin: 0,
      poolMax: 0,
    });
    expect(config.backups).toEqual({
      dir: '/p/.dbfast/backups',
      keepLast: undefined,
      maxAgeMs: undefined,
      format: 'custom',
      compress: undefined,
      jobs: 1,
    });
    expect(config.server).toEqual({ binDir: undefined, osUser: 'postgres' });
    expect(config.templates).toEqual({ keep: 1, unusedForMs: 86_400_000 });
    expect(config.pool).toEqual({ size: 0, min: undefined, max: undefined });
    expect(config.remotes).toEqual({});
  });

  it('resolves each section from its keys', () => {
    const config = resolveInline(
      `[database]
clone_strategy = "file_copy"
[environments.ci]
ttl = "2h"
[environments.local]
pool_size = 3
[pool]
size = 5
[backups]
dir = "/abs/backups"
keep_last = 4
max_age = "30d"
compress = "zstd:3"
jobs = 2
[server]
bin_dir = "pg/bin"
os_user = "pgrunner"
[templates]
keep = 0
unused_for = "12h"
`,
    );
    expect(config.database.cloneStrategy).toBe('file_copy');
    expect(config.defaultEnvironment).toBe('local');
    expect(config.environments.ci).toMatchObject({ ttlMs: 7_200_000, poolSize: 5 });
    expect(config.environments.local).toMatchObject({ ttlMs: undefined, poolSize: 3 });
    expect(config.backups).toEqual({
      dir: '/abs/backups',
      keepLast: 4,
      maxAgeMs: 2_592_000_000,
      format: 'custom',
      compress: 'zstd:3',
      jobs: 2,
    });
    expect(config.server).toEqual({ binDir: '/p/pg/bin', osUser: 'pgrunner' });
    expect(config.templates).toEqual({ keep: 0, unusedForMs: 43_200_000 });
    expect(config.pool).toEqual({ size: 5 });
  });

  it('takes the first environment as the default when there is no "local"', () => {
    const config = resolveInline('[environments.ci]\n[environments.staging]\n');
    expect(config.defaultEnvironment).toBe('ci');
  });

  it('refuses a template_name that leaves no room for the derived names, with the other problems', () => {
    expect(MAX_BASE_BYTES).toBe(MAX_IDENTIFIER_BYTES - (1 + HASH_LENGTH + 2 + 8));
    const fits = 'a'.repeat(MAX_BASE_BYTES - 'local'.length - 1);
    expect(
      resolveInline(`[database]\ntemplate_name = "${fits}"\n[environments.local]\n`),
    ).toBeDefined();
    const error = problemsOf(
      `[database]\ntemplate_name = "${fits}x"\n[environments.local]\n[pool]\nsize = -1\n`,
    );
    expect(error.problems).toEqual([
      'pool.size (line 5): expected an integer >= 0, got -1',
      expect.stringMatching(
        new RegExp(
          `^database\\.template_name: template_name "${fits}x" with environment "local" gives .* \\(${MAX_BASE_BYTES + 1} bytes\\)`,
        ),
      ),
    ]);
  });

  it('asks for a password variable that is not set even without a url or host', () => {
    const error = problemsOf('[database]\npassword_env = "NOT_SET_PW"\n');
    expect(error.problems).toEqual([
      'database.password_env: environment variable NOT_SET_PW is not set',
    ]);
  });
});

describe('repository types: config holds the names, the presets the code', () => {
  it('has one preset per name, named by its key, with the default path config gives', () => {
    expect(Object.keys(PRESETS)).toEqual(Object.keys(PRESET_DEFAULT_PATHS));
    for (const [name, preset] of Object.entries(PRESETS)) {
      expect(preset.name).toBe(name);
      expect(preset.defaultPath).toBe(defaultRepositoryPath(name));
    }
    expect(REPOSITORY_TYPES.slice(0, 3)).toEqual(['plain', 'sql', 'structured']);
    expect(defaultRepositoryPath('plain')).toBe('sql');
    expect(presetFor('constructor')).toBeUndefined();
  });

  it("resolves a preset's default path, and refuses an unknown type with the known ones", () => {
    expect(resolveInline('[repository]\ntype = "prisma"\n').repository).toMatchObject({
      type: 'prisma',
      path: '/p/prisma/migrations',
    });
    expect(resolveInline('[repository]\ntype = "sql"\n').repository).toMatchObject({
      type: 'plain',
      path: '/p/sql',
    });
    const error = problemsOf('[repository]\ntype = "liquibase"\n');
    expect(error.problems).toEqual([
      `repository.type (line 2): expected one of ${REPOSITORY_TYPES.map((t) => `"${t}"`).join(', ')}, got "liquibase"`,
    ]);
  });
});
