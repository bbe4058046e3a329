import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What `npm pack` ships, and that a CommonJS project can `require('dbfast')` from the packed
 * tarball (Node >= 20.19 loads ES modules through require()). Needs no server and no
 * network: the tarball is unpacked into a temporary project whose other dependencies are
 * links to this repository's node_modules. `npm test` builds dist/ first.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function npm(args: string[], cwd = ROOT): string {
  // --ignore-scripts: dist/ is already built; `prepare` would rebuild it under a running test.
  return execFileSync('npm', [...args, '--ignore-scripts'], { cwd, encoding: 'utf8' });
}

describe('the npm package', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dbfast-pack-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('ships LICENSE, README, the built library and CLI, and no source map without its source', () => {
    const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json'])) as {
      files: { path: string }[];
    }[];
    const paths = new Set((pack?.files ?? []).map((f) => f.path));
    for (const path of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/dbfast.js',
      'dist/cli.cjs',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/vitest/index.js',
    ]) {
      expect(paths.has(path), path).toBe(true);
    }
    // A shipped map must point at sources that are shipped too.
    for (const path of [...paths].filter((p) => p.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { sources: string[] };
      for (const source of map.sources) {
        expect(paths.has(join(path, '..', source)), `${path} -> ${source}`).toBe(true);
      }
    }
    expect([...paths].filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
  });

  it('loads with require() and with import from the packed tarball', async () => {
    const file = npm(['pack', '--pack-destination', tmp, '--json']);
    const [{ filename }] = JSON.parse(file) as [{ filename: string }];
    const project = join(tmp, 'cjs-app');
    const modules = join(project, 'node_modules');
    await mkdir(join(modules, 'dbfast'), { recursive: true });
    execFileSync('tar', [
      '-xzf',
      join(tmp, filename),
      '-C',
      join(modules, 'dbfast'),
      '--strip-components=1',
    ]);
    for (const dep of Object.keys(manifest.dependencies)) {
      await mkdir(join(modules, dep, '..'), { recursive: true });
      await symlink(join(ROOT, 'node_modules', dep), join(modules, dep));
    }
    await writeFile(join(project, 'package.json'), '{ "name": "cjs-app", "type": "commonjs" }\n');
    const script = `
      const dbfast = require('dbfast');
      const project = dbfast.openProject({ configText: '[database]\\ntemplate_name = "cjs"\\n' });
      const { DbfastError, isDbfastError } = require('dbfast');
      let internal = 'reachable';
      try { require('dbfast/dist/server/identifiers.js'); } catch (error) { internal = error.code; }
      import('dbfast').then((esm) => {
        console.log(JSON.stringify({
          openProject: typeof dbfast.openProject,
          createDbfast: typeof dbfast.createDbfast,
          templateName: project.config.database.templateName,
          guarded: isDbfastError(new DbfastError('x.y', 'z')),
          internal,
          same: esm.openProject === dbfast.openProject,
        }));
      });`;
    await writeFile(join(project, 'app.js'), script);
    expect(existsSync(join(modules, 'dbfast', 'LICENSE'))).toBe(true);
    const out = execFileSync(process.execPath, ['app.js'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      openProject: 'function',
      createDbfast: 'function',
      templateName: 'cjs',
      guarded: true,
      // Internals ship in dist/ but stay outside package.json "exports".
      internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      same: true,
    });
  });
});
