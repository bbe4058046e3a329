import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { resolveConfig } from '../../src/config/load.js';
import { formatBytes, parseDuration } from '../../src/duration.js';
import { problemsOf, resolveInline } from '../helpers/config.js';

const resolve = resolveInline;

describe('config', () => {
  it('resolves defaults with no file: embedded server, ./sql, one default environment', () => {
    const config = resolve('');
    expect(config.database.target).toEqual({ kind: 'embedded', dir: '/p/.dbfast/server' });
    expect(config.repository.path).toBe('/p/sql');
    expect(Object.keys(config.environments)).toEqual(['default']);
    expect(config.defaultEnvironment).toBe('default');
    expect(config.backups.dir).toBe('/p/.dbfast/backups');
  });

  it('accepts the original DBFast keys', () => {
    const config = resolve(
      `[database]
host = "db.local"
port = 5433
user = "app"
password_env = "APP_PW"
template_name = "blog_template"

[repository]
path = "./db"
type = "structured"

[environments.local]
include_directories = ["0_schema", "1_seed"]
[environments.production]
include_directories = ["0_schema"]
exclude_directories = ["1_seed"]

[remotes.prod]
url = "postgres://deploy@prod.example.com:5432/app"
password_env = "PROD_PW"
environment = "production"
allow_destructive = false
backup_before_deploy = true
require_confirmation = true
`,
      { APP_PW: 'secret1', PROD_PW: 'secret2' },
    );
    expect(config.database.target).toMatchObject({
      kind: 'external',
      source: 'config',
      connection: {
        host: 'db.local',
        port: 5433,
        user: 'app',
        password: 'secret1',
        database: 'postgres',
      },
    });
    expect(config.database.templateName).toBe('blog_template');
    expect(config.repository.path).toBe('/p/db');
    // DBFast's "structured" is a plain repository (see src/presets/registry.ts).
    expect(config.repository.type).toBe('plain');
    expect(config.defaultEnvironment).toBe('local');
    expect(config.environments.production?.excludeDirectories).toEqual(['1_seed']);
    expect(config.remotes.prod).toMatchObject({
      environment: 'production',
      requireConfirmation: true,
    });
    expect(config.remotes.prod?.connection.password).toBe('secret2');
  });

  it('reports a TOML syntax error with file:line:col', () => {
    const error = problemsOf('[database]\nurl = "x\n');
    expect(error.code).toBe('config.syntax');
    expect(error.message).toMatch(/^\/p\/dbfast\.toml:2:\d+: /);
    expect(error.exitCode).toBe(2);
  });

  it('reports every problem at once: unknown keys with a suggestion, wrong types, missing variables', () => {
    const error = problemsOf(
      `[database]
templat_name = "x"
port = "5432"
url = "\${NOT_SET_ANYWHERE}"

[repositry]
path = "sql"

[environments.local]
include_directories = "0_schema"
ttl = "soon"
`,
    );
    expect(error.code).toBe('config.invalid');
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^database\.templat_name \(line 2\): unknown key \(did you mean "template_name"\?\)/,
        ),
        expect.stringMatching(
          /^database\.port \(line 3\): expected an integer, got the string "5432"/,
        ),
        expect.stringMatching(
          /^database\.url \(line 4\): environment variable NOT_SET_ANYWHERE is not set/,
        ),
        expect.stringMatching(
          /^repositry \(line 6\): unknown section \(did you mean "repository"\?\)/,
        ),
        expect.stringMatching(
          /^environments\.local\.include_directories \(line 10\): expected an array of strings/,
        ),
        expect.stringMatching(/^environments\.local\.ttl \(line 11\): expected a duration/),
      ]),
    );
    expect(error.problems).toHaveLength(6);
    expect(error.message).toContain('has 6 problems');
  });

  it('interpolates ${VAR} and ${VAR:-default}, and $${ escapes', () => {
    expect(interpolate('a ${X} ${Y:-dflt} $${Z}', { X: '1' })).toEqual({
      value: 'a 1 dflt ${Z}',
      missing: [],
    });
    expect(interpolate('${MISSING}', {}).missing).toEqual(['MISSING']);
    const config = resolve('[database]\nurl = "${DB:-postgres://u@h:1/d}"\n');
    expect(config.database.target).toMatchObject({
      connection: { host: 'h', port: 1, user: 'u', database: 'd' },
    });
  });

  it('follows the precedence flag > dbfast.toml > DATABASE_URL > embedded', () => {
    const env = { DATABASE_URL: 'postgres://env@envhost/db' };
    expect(resolve('', env).database.target).toMatchObject({
      source: 'env',
      connection: { host: 'envhost' },
    });
    expect(
      resolve('[database]\nurl = "postgres://cfg@cfghost/db"\n', env).database.target,
    ).toMatchObject({ source: 'config', connection: { host: 'cfghost' } });
    const flag = resolveConfig('[database]\nurl = "postgres://cfg@cfghost/db"\n', {
      configPath: undefined,
      rootDir: '/p',
      env,
      databaseUrl: 'postgres://f@flaghost/db',
    });
    expect(flag.database.target).toMatchObject({
      source: 'flag',
      connection: { host: 'flaghost' },
    });
  });

  it('rejects a remote whose environment does not exist, and a remote without url', () => {
    const error = problemsOf(
      '[remotes.prod]\nenvironment = "production"\n[remotes.stage]\nurl = "postgres://u@h/d"\nenvironment = "nope"\n',
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'remotes.prod.url: missing; every remote needs a url',
        expect.stringMatching(/^remotes\.stage\.environment: no environment "nope"/),
      ]),
    );
  });

  it('never puts a password into an error message', () => {
    const error = problemsOf('[database]\nurl = "mysql://user:hunter2@host/db"\n');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('****');
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('formats bytes in decimal units, as their names say', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(7_400_000)).toBe('7.4 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.2 GB');
  });
});
