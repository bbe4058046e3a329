import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { createDbfast, type ClonedDatabase, type Dbfast } from '../library.js';
import type { OpenProjectOptions } from '../project.js';

/**
 * dbfast for vitest:
 *  - `dbfastGlobalSetup()` in a globalSetup file builds (or finds) the template ONCE per run
 *    and hands its name to every worker;
 *  - `useTestDatabase()` in a test file gives each test (or the whole file) its own fresh
 *    clone and drops it afterwards.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    dbfast: { options: SerializableOptions; template: string; env: string };
  }
}

/** The project options that can cross into workers (no reporter callback). */
type SerializableOptions = Pick<OpenProjectOptions, 'configPath' | 'configText' | 'cwd' | 'databaseUrl'>;

export interface GlobalSetupOptions extends SerializableOptions {
  env?: string;
}

/** A vitest globalSetup function: `export default dbfastGlobalSetup({ env: 'test' })`. */
export function dbfastGlobalSetup(options: GlobalSetupOptions = {}): (project: TestProject) => Promise<void> {
  return async (project: TestProject) => {
    const { env, ...projectOptions } = options;
    const dbfast = await createDbfast(projectOptions);
    try {
      const template = await dbfast.ensureTemplate(env === undefined ? {} : { env });
      project.provide('dbfast', { options: projectOptions, template: template.name, env: template.env });
    } finally {
      await dbfast.close();
    }
  };
}

export interface TestDatabase {
  /** URL of the current test's database (no password). */
  readonly url: string;
  readonly name: string;
}

/**
 * Give every test its own database (`per: 'test'`, the default) or one per test file
 * (`per: 'file'`). Read `db.url` inside a test or a hook. Needs dbfastGlobalSetup.
 */
export function useTestDatabase(options: { per?: 'test' | 'file' } = {}): TestDatabase {
  let dbfast: Dbfast | undefined;
  let current: ClonedDatabase | undefined;
  const make = async (): Promise<void> => {
    const { options: projectOptions, template, env } = inject('dbfast');
    dbfast ??= await createDbfast(projectOptions);
    current = await dbfast.clone({ template, env });
  };
  const drop = async (): Promise<void> => {
    await current?.drop();
    current = undefined;
  };
  if (options.per === 'file') {
    beforeAll(make);
    afterAll(drop);
  } else {
    beforeEach(make);
    afterEach(drop);
  }
  afterAll(async () => {
    await dbfast?.close();
  });
  const get = (): ClonedDatabase => {
    if (current === undefined) throw new Error('useTestDatabase: no database yet (use it inside a test or a hook)');
    return current;
  };
  return {
    get url() {
      return get().url;
    },
    get name() {
      return get().name;
    },
  };
}
