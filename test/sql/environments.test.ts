import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbfastError } from '../../src/index.js';
import { validateEnvironment } from '../../src/presets/validate.js';
import { listEnvironments } from '../../src/services/environments.js';
import { assertEnvironmentValid, looksLikeProduction } from '../../src/sql/environments.js';
import { type TempProject, tempProject } from '../helpers/project.js';

describe('looksLikeProduction', () => {
  it('matches prod, production and live as a word of the name, case-insensitively', () => {
    for (const name of [
      'prod',
      'PROD',
      'production',
      'live',
      'eu-prod',
      'prod_eu',
      'euProd',
      'live2',
    ])
      expect(looksLikeProduction(name), name).toBe(true);
    for (const name of ['products', 'deliver', 'preprod', 'local', 'staging', 'liveliness'])
      expect(looksLikeProduction(name), name).toBe(false);
  });
});

// No server needed: listing and validating only read dbfast.toml and the repository folder.
describe('listEnvironments and validateEnvironment', () => {
  let temp: TempProject;
  beforeAll(async () => {
    temp = await tempProject({
      files: {
        'sql/schema/001.sql': 'SELECT 1;\n',
        'sql/seed/001.sql': 'SELECT 1;\n',
        'sql/seed/big/001.sql': 'SELECT 1;\n',
        'sql/other/x.local.sql': 'SELECT 1;\n',
        'sql/single.sql': 'SELECT 1;\n',
      },
      toml: `
[environments.dev]
include_directories = ["schema", "seed/", "other"]
exclude_directories = ["./seed/big"]

[environments.globs]
include_directories = ["schema", "seed"]
include_files = ["**/*.local.sql", "schema/*.sql"]
exclude_files = ["**/*.wip.sql"]

[environments.odd]
include_directories = ["schema", "single.sql", "../outside", "linked"]

[environments.Live]
exclude_directories = ["other"]
`,
    });
    await symlink(join(temp.dir, 'sql/schema'), join(temp.dir, 'sql/linked'));
    temp.reopen();
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('lists every environment with its file count and marks the default', async () => {
    const list = await listEnvironments(temp.project);
    expect(list.map((env) => [env.name, env.files, env.default])).toEqual([
      ['dev', 3, true],
      ['globs', 1, false],
      ['odd', 2, false],
      ['Live', 4, false],
    ]);
  });

  it('excluding a subdirectory of an included one is fine; globs that match nothing are warnings', async () => {
    const dev = await validateEnvironment(temp.project, 'dev');
    expect(dev.errors).toEqual([]);
    expect(dev.ok).toBe(true);
    const globs = await validateEnvironment(temp.project, 'globs');
    expect(globs.errors).toEqual([]);
    expect(globs.warnings).toEqual([
      `include_files: "**/*.local.sql" matches no file in the environment's directories`,
      'exclude_files: "**/*.wip.sql" matches no file in the repository',
    ]);
    expect(() => assertEnvironmentValid(globs)).not.toThrow();
  });

  it('a file, a path outside the repository and a symlink among the directories', async () => {
    const odd = await validateEnvironment(temp.project, 'odd');
    expect(odd.errors).toEqual([
      'include_directories: "../outside" is outside the repository (paths are relative to it)',
      'include_directories: "linked" is a symbolic link, which dbfast does not follow',
    ]);
    expect(odd.warnings).toEqual([
      'include_directories: "single.sql" is a file, not a directory (include_files takes files)',
    ]);
    try {
      assertEnvironmentValid(odd);
      expect.unreachable();
    } catch (error) {
      expect(isDbfastError(error) && error.code).toBe('env.invalid');
      expect(isDbfastError(error) && error.exitCode).toBe(1);
      expect(isDbfastError(error) && error.problems).toHaveLength(3);
    }
  });

  it('a production-like environment that selects everything warns about every seed directory', async () => {
    const live = await validateEnvironment(temp.project, 'Live');
    expect(live.ok).toBe(true);
    expect(live.warnings).toEqual([
      '"Live" looks like a production environment but selects seed data: seed (add them to exclude_directories if that is not intended)',
    ]);
  });
});
