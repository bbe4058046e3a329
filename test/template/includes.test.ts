import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTemplate, templateStatus } from '../../src/index.js';
import { openProject } from '../../src/project.js';
import { computeFingerprint } from '../../src/template/fingerprint.js';
import { type TempProject, tempProject } from '../helpers/project.js';

/**
 * The fingerprint follows `\ir` exactly: every case where the include list used to go stale
 * (issue 13) makes the template stale, and a cache entry that no longer matches the disk is
 * recomputed rather than trusted or crashed on.
 */
describe('included files in the fingerprint', () => {
  let temp: TempProject | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  const fingerprint = async (project = temp?.project) => {
    if (project === undefined) throw new Error('no project');
    return computeFingerprint(project.config, project.environment(), 15);
  };

  it('sees a file an included file starts to include', async () => {
    temp = await tempProject({
      files: {
        'sql/main.sql': '\\ir ../lib/a.sql\n',
        'lib/a.sql': 'SELECT 1;\n',
        'lib/b.sql': 'SELECT 2;\n',
      },
    });
    const before = await fingerprint();
    expect(Object.keys(before.files)).toEqual(['main.sql', '../lib/a.sql']);
    await temp.write('lib/a.sql', 'SELECT 1;\n\\ir b.sql\n');
    const gained = await fingerprint();
    expect(Object.keys(gained.files)).toEqual(['main.sql', '../lib/a.sql', '../lib/b.sql']);
    await temp.write('lib/b.sql', 'SELECT 3;\n');
    const edited = await fingerprint();
    expect(edited.hash).not.toBe(gained.hash);
    expect(edited.files['../lib/b.sql']).not.toBe(gained.files['../lib/b.sql']);
  });

  it('keeps apart two entry files with the same text in different folders', async () => {
    temp = await tempProject({
      files: {
        'sql/x/main.sql': '\\ir inc.sql\n',
        'sql/x/inc.sql': 'SELECT 1;\n',
        'sql/y/main.sql': '\\ir inc.sql\n',
        'sql/y/inc.sql': 'SELECT 2;\n',
      },
      toml: '[environments.local]\ninclude_files = ["**/main.sql"]\n',
    });
    const before = await fingerprint();
    expect(Object.keys(before.files)).toEqual([
      'x/main.sql',
      'y/main.sql',
      'x/inc.sql',
      'y/inc.sql',
    ]);
    await temp.write('sql/y/inc.sql', 'SELECT 3;\n');
    expect((await fingerprint()).hash).not.toBe(before.hash);
  });

  it('follows a project copied with its .dbfast cache, and a removed nested include', async () => {
    temp = await tempProject({
      files: {
        'sql/main.sql': '\\ir ../lib/a.sql\n',
        'lib/a.sql': '\\ir b.sql\n',
        'lib/b.sql': 'CREATE TABLE b (x int);\n',
      },
    });
    const original = await fingerprint();
    const copy = await mkdtemp(join(tmpdir(), 'dbfast-moved-'));
    dirs.push(copy);
    await cp(temp.dir, copy, { recursive: true });
    const moved = () => openProject({ configPath: join(copy, 'dbfast.toml'), env: {} });
    expect((await fingerprint(moved())).hash).toBe(original.hash);
    // An edit in the copy is seen there, and not taken from the original's files.
    await writeFile(join(copy, 'lib/b.sql'), 'CREATE TABLE b (x int, y int);\n');
    expect((await fingerprint(moved())).hash).not.toBe(original.hash);
    expect((await fingerprint()).hash).toBe(original.hash);
    // The nested include goes, with its file: no crash, just a different fingerprint.
    await temp.write('lib/a.sql', 'SELECT 1;\n');
    await rm(join(temp.dir, 'lib/b.sql'));
    const removed = await fingerprint();
    expect(Object.keys(removed.files)).toEqual(['main.sql', '../lib/a.sql']);
  });

  it('rebuilds a template when only a nested included file changed', async () => {
    temp = await tempProject({
      files: {
        'sql/main.sql': '\\ir ../lib/a.sql\n',
        'lib/a.sql': '\\ir b.sql\n',
        'lib/b.sql': 'CREATE TABLE b (x int);\n',
      },
    });
    await ensureTemplate(temp.project);
    await temp.write('lib/b.sql', 'CREATE TABLE b (x int, y int);\n');
    const status = await templateStatus(temp.project);
    expect(status.current).toBe(false);
    expect(status.explanation?.changed).toEqual(['../lib/b.sql']);
    await temp.write('lib/a.sql', 'CREATE TABLE a (x int);\n');
    await rm(join(temp.dir, 'lib/b.sql'));
    expect((await ensureTemplate(temp.reopen())).built).toBe(true);
  });
});
