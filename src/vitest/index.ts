import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { type ClonedDatabase, createDbfast, type Dbfast } from '../dbfast.js';
import './setup.js';

/**
 * dbfast for vitest, in test files: `useTestDatabase()` gives each test (or the whole file)
 * its own fresh clone of the template that `dbfast/vitest/setup` found or built once per
 * run, and drops it afterwards. Every clone carries a ttl (default 24 hours) and the run's
 * label, so `dbfast gc` collects the clones of a run that crashed before dropping them.
 */

export type { GlobalSetupOptions } from './setup.js';

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
    // The pool is refilled by the globalSetup when the run is over (see setup.ts).
    dbfast ??= await createDbfast({ ...projectOptions, refillOnClone: false });
    current = await dbfast.clone({ template, env });
  };
  // The drop does not wait for the server: its DROP (a checkpoint, tens to hundreds of ms on
  // a busy machine) runs while the next test or file starts.
  const drop = async (): Promise<void> => {
    await current?.drop({ wait: false });
    current = undefined;
  };
  // One afterAll that drops, THEN closes: with vitest's default hook order ('stack', after
  // hooks in reverse) two separate hooks would close first and leak the drop's connection.
  const finish = async (): Promise<void> => {
    await drop();
    await dbfast?.close();
  };
  if (options.per === 'file') {
    beforeAll(make);
  } else {
    beforeEach(make);
    afterEach(drop);
  }
  afterAll(finish);
  const get = (): ClonedDatabase => {
    if (current === undefined)
      throw new Error('useTestDatabase: no database yet (use it inside a test or a hook)');
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
