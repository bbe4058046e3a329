import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase, isDbfastError } from '../../src/index.js';
import { listTemplates } from '../../src/template/manage.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, query } from '../helpers/server.js';

/**
 * A clone that will be refused (its name is taken, or --force meets a database that is not a
 * clone of this project) is refused before the template is built: it costs no build.
 */
describe('a refused clone builds nothing', () => {
  let temp: TempProject;
  let handmade: string;
  beforeAll(async () => {
    temp = await tempProject({
      files: { 'sql/a.sql': 'CREATE TABLE a (x int);\n' },
      toml: '[environments.local]\n',
    });
    handmade = await createDatabase(`${temp.prefix}_handmade`);
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  /** The project's databases besides the hand-made one: templates, scratch and work. */
  const made = async (): Promise<string[]> => {
    const rows = await query<{ datname: string }>(
      'postgres',
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '%' OR datname LIKE $2 || '%'",
      [temp.prefix, temp.project.id],
    );
    return rows.map((row) => row.datname).filter((name) => name !== handmade);
  };

  it.each([
    ['--force on a database dbfast did not make', { force: true }, 'clone.not_replaceable'],
    ['an existing name without --force', {}, 'clone.exists'],
  ])('%s', async (_, options, code) => {
    const error = await cloneDatabase(temp.project, { name: handmade, ...options }).catch(
      (e: unknown) => e,
    );
    expect(isDbfastError(error) ? error.code : error).toBe(code);
    expect(await listTemplates(temp.project, { sizes: false })).toEqual([]);
    expect(await made()).toEqual([]);
  });

  it('a name of dbfast’s own patterns', async () => {
    const error = await cloneDatabase(temp.project, {
      name: `${temp.prefix}_0123456789ab`,
    }).catch((e: unknown) => e);
    expect(isDbfastError(error) ? error.code : error).toBe('clone.reserved_name');
    expect(await made()).toEqual([]);
  });

  it('the same clone with a free name builds the template and clones it', async () => {
    const clone = await cloneDatabase(temp.project, { name: `${temp.prefix}_free` });
    expect(clone.templateBuilt).toBe(true);
    expect(await listTemplates(temp.project, { sizes: false })).toHaveLength(1);
  });
});
