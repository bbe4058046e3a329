import { spawn } from 'node:child_process';
import type { GlobalOptions } from './context.js';

/**
 * Refill the pool off the request's path: a detached `dbfast pool fill` that outlives this
 * command, so `dbfast clone` returns as soon as its database exists.
 */
export function spawnPoolRefill(globals: GlobalOptions, env: string): void {
  spawnDetached(globals, ['pool', 'fill', '--env', env]);
}

/** Run `dbfast ARGS…` as a detached process that outlives this one (background work). */
export function spawnDetached(globals: GlobalOptions, dbfastArgs: string[]): void {
  // The script this process runs (bin/dbfast.js): the same dbfast, whatever its install path.
  const args = [process.argv[1] as string, ...dbfastArgs];
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
