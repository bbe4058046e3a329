import type { TestProject } from 'vitest/node';
import { createDbfast, type DbfastOptions } from '../dbfast.js';

/**
 * dbfast for vitest, in a globalSetup file (`dbfast/vitest/setup`): builds (or finds) the
 * template ONCE per run, in the main process, and hands its name to every worker. This
 * module must not import vitest's runtime: globalSetup files run outside the test workers.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    dbfast: { options: SerializableOptions; template: string; env: string };
  }
}

/**
 * The project options that can cross into workers (no reporter callback), and the ttl of
 * the test clones (default 24 hours, so gc collects what a crashed run left; null: none).
 */
type SerializableOptions = Pick<
  DbfastOptions,
  'configPath' | 'configText' | 'cwd' | 'databaseUrl' | 'cloneTtlMs'
>;

export interface GlobalSetupOptions extends SerializableOptions {
  env?: string;
}

/** A vitest globalSetup function: `export default dbfastGlobalSetup({ env: 'test' })`. */
export function dbfastGlobalSetup(
  options: GlobalSetupOptions = {},
): (project: TestProject) => Promise<void> {
  return async (project: TestProject) => {
    const { env, ...projectOptions } = options;
    const dbfast = await createDbfast(projectOptions);
    try {
      const template = await dbfast.ensureTemplate(env === undefined ? {} : { env });
      project.provide('dbfast', {
        options: projectOptions,
        template: template.name,
        env: template.env,
      });
    } finally {
      await dbfast.close();
    }
  };
}
