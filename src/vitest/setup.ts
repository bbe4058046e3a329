import type { TestProject } from 'vitest/node';
import { createDbfast, type DbfastOptions } from '../dbfast.js';

/**
 * dbfast for vitest, in a globalSetup file (`dbfast/vitest/setup`): builds (or finds) the
 * template ONCE per run, in the main process, and hands its name to every worker. The pool
 * is refilled once, when the run is over (and before each rerun in watch mode), not by
 * every file's claim: a refill's CREATE DATABASE would compete with the tests for the
 * machine. Claims that find the pool empty raise its target (up to `[pool] max`), so the
 * next run finds a member for every file. This module must not import vitest's runtime:
 * globalSetup files run outside the test workers.
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

/**
 * A vitest globalSetup function: `export default dbfastGlobalSetup({ env: 'test' })`. Its
 * teardown starts the pool's refill (a detached `dbfast pool fill`; in this process when
 * the config is inline text).
 */
export function dbfastGlobalSetup(
  options: GlobalSetupOptions = {},
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project: TestProject) => {
    const { env, ...projectOptions } = options;
    const dbfast = await createDbfast(projectOptions);
    const template = await dbfast
      .ensureTemplate(env === undefined ? {} : { env })
      .catch(async (error: unknown) => {
        await dbfast.close();
        throw error;
      });
    project.provide('dbfast', {
      options: projectOptions,
      template: template.name,
      env: template.env,
    });
    const refill = (): Promise<void> =>
      dbfast.refill({ env: template.env, template: template.name });
    project.onTestsRerun(refill);
    return async () => {
      try {
        await refill();
      } finally {
        await dbfast.close();
      }
    };
  };
}
