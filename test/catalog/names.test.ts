import { describe, expect, it } from 'vitest';
import { cloneDatabase } from '../../src/clone/clone-database.js';
import { listClones } from '../../src/clone/inventory.js';
import { ensureTemplate } from '../../src/template/ensure.js';
import { listTemplates } from '../../src/template/manage.js';
import { runCli } from '../helpers/cli.js';
import { problemsOf, resolveInline } from '../helpers/config.js';
import { tempProject } from '../helpers/project.js';
import { testServerUrl, uniqueName } from '../helpers/server.js';

const resolve = resolveInline;
const configError = problemsOf;

/** "What was seen" 3 of the ownership issue: long template names were cut and leaked. */
describe('names that fit', () => {
  it('an over-long template_name (with its environment) is a config error counted in bytes', () => {
    const name = 'a'.repeat(39);
    const error = configError(`[database]\ntemplate_name = "${name}"\n[environments.local]\n`);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`database.template_name: template_name "${name}"`);
    expect(error.message).toContain(`"${name}_local" (45 bytes); at most 40 bytes`);
    // Multi-byte characters count as bytes, not characters.
    const wide = configError(`[database]\ntemplate_name = "${'é'.repeat(20)}"\n[environments.a]\n`);
    expect(wide.message).toContain('(42 bytes)');
    expect(() =>
      configError(`[database]\ntemplate_name = "${'é'.repeat(19)}"\n[environments.a]\n`),
    ).toThrow('expected a config error');
  });

  it('the project name defaults to template_name and must be printable', () => {
    expect(resolve('[database]\ntemplate_name = "shop"\n').project.name).toBe('shop');
    expect(resolve('[project]\nname = "Shop Inc"\n').project.name).toBe('Shop Inc');
    expect(configError('[project]\nname = ""\n').message).toContain(
      'project.name: expected 1 to 100',
    );
  });

  it('the longest accepted template_name builds, clones and lists on a real server', async () => {
    const prefix = uniqueName('long');
    const templateName = `${prefix}_${'x'.repeat(40 - prefix.length - 1 - 'local'.length - 1)}`;
    expect(Buffer.byteLength(`${templateName}_local`)).toBe(40);
    const temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      configText: `[database]\nurl = "${testServerUrl()}"\ntemplate_name = "${templateName}"\n[repository]\npath = "./sql"\n[environments.local]\n`,
    });
    try {
      const template = await ensureTemplate(temp.project);
      expect(Buffer.byteLength(template.name)).toBe(53);
      const clone = await cloneDatabase(temp.project, { name: `${prefix}_c` });
      expect((await listTemplates(temp.project)).map((t) => t.name)).toEqual([template.name]);
      expect((await listClones(temp.project)).map((c) => c.name)).toEqual([clone.name]);
      const drop = await runCli(['drop', clone.name, '--yes'], { cwd: temp.dir });
      expect(drop.exitCode).toBe(0);
    } finally {
      await temp.cleanup();
      const { dropDatabasesLike } = await import('../helpers/server.js');
      await dropDatabasesLike(prefix);
    }
  });
});
