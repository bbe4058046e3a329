import { spawn } from 'node:child_process';
import { type RefillStart, startBackgroundRefill } from '../clone/refill.js';
import type { GlobalOptions } from './root.js';

/**
 * Refill the pool off the request's path: a detached `dbfast pool fill` that outlives this
 * command, so `dbfast clone` returns as soon as its database exists. Started only when no
 * refill of that template is running on this machine (8 clones at once start one filler).
 */
export function spawnPoolRefill(
  globals: GlobalOptions,
  clone: { env: string; template: string; url: string },
): Promise<RefillStart> {
  return startBackgroundRefill({
    script: launcher(),
    env: clone.env,
    template: clone.template,
    serverUrl: clone.url,
    configPath: globals.config,
    databaseUrl: globals.databaseUrl,
  });
}

/** Run `dbfast ARGS…` as a detached process that outlives this one (background work). */
export function spawnDetached(globals: GlobalOptions, dbfastArgs: string[]): void {
  const args = [launcher(), ...dbfastArgs];
  if (globals.config !== undefined) args.push('--config', globals.config);
  // The URL may hold a password: pass it through the environment, never on a command line.
  const childEnv =
    globals.databaseUrl === undefined
      ? process.env
      : { ...process.env, DBFAST_DATABASE_URL: globals.databaseUrl };
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: 'ignore',
    cwd: process.cwd(),
    env: childEnv,
  });
  child.unref();
}

/** The script this process runs (bin/dbfast.js): the same dbfast, whatever its install path. */
function launcher(): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('process.argv has no script path');
  return script;
}
