import type { RemoteConfig, ResolvedConfig } from '../config/types.js';
import { connectionUrl } from '../config/url.js';
import { usageError } from '../errors.js';

/**
 * Named remotes from `[remotes.NAME]`: lookup and a listing that is safe to print (no
 * password, only whether the variable that should hold it is set).
 */

export interface RemoteSummary {
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** The remote's URL without any password. */
  url: string;
  environment: string | undefined;
  passwordEnv: string | undefined;
  /** Whether a password is available (from password_env or the URL); never the password. */
  passwordSet: boolean;
  requireConfirmation: boolean;
  allowDestructive: boolean;
}

/** The remote called `name`, or a usage error listing the known ones. */
export function getRemote(config: ResolvedConfig, name: string): RemoteConfig {
  const remote = config.remotes[name];
  if (remote === undefined) {
    const known = Object.keys(config.remotes);
    throw usageError(
      'remote.unknown',
      `No remote "${name}" in ${config.configPath ?? 'the configuration'}.`,
      known.length === 0
        ? 'Add one with `dbfast remote add NAME URL`.'
        : `Known remotes: ${known.join(', ')}.`,
    );
  }
  return remote;
}

/** Every remote, safe to print. */
export function listRemotes(config: ResolvedConfig): RemoteSummary[] {
  return Object.values(config.remotes).map(summarizeRemote);
}

export function summarizeRemote(remote: RemoteConfig): RemoteSummary {
  const c = remote.connection;
  return {
    name: remote.name,
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    url: connectionUrl(c),
    environment: remote.environment,
    passwordEnv: remote.passwordEnv,
    passwordSet: c.password !== undefined && c.password !== '',
    requireConfirmation: remote.requireConfirmation,
    allowDestructive: remote.allowDestructive,
  };
}

/** Whether a remote asks for its name to be typed before anything destructive. */
export function isProtectedRemote(remote: RemoteConfig): boolean {
  return remote.environment === 'production' || remote.requireConfirmation;
}

/**
 * The database to connect to on a remote's server for CREATE/ALTER/DROP DATABASE: never the
 * remote's own database, which a restore may need to rename.
 */
export function maintenanceParams(remote: RemoteConfig): RemoteConfig['connection'] {
  return { ...remote.connection, database: 'postgres' };
}
