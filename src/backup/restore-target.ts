import type { ConnectionParams } from '../config/types.js';
import { connectionUrl } from '../config/url.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { getRemote, isProtectedRemote, maintenanceParams } from '../remote/remotes.js';
import { validateDatabaseName } from '../server/identifiers.js';

/**
 * Where a restore goes: the project's own server, or a remote's server (`--remote`), with
 * the confirmation rules that come with it. Knows nothing about prompts: it only says what
 * must be confirmed, and refuses (exit 2) when a confirmation that was needed is missing.
 */

export interface RestoreTarget {
  /** The maintenance connection (never the target database itself: it gets renamed). */
  params: ConnectionParams;
  /** URL of the server, without a password. */
  url: string;
  remote: string | undefined;
  /** A production remote, or one with require_confirmation: its name must be typed. */
  protectedRemote: boolean;
  /** Whether replacing a database there is allowed at all (remotes: allow_destructive). */
  allowReplace: boolean;
}

export async function resolveRestoreTarget(
  project: Project,
  remoteName: string | undefined,
): Promise<RestoreTarget> {
  if (remoteName === undefined) {
    const params = await project.connection();
    return {
      params,
      url: connectionUrl(params),
      remote: undefined,
      protectedRemote: false,
      allowReplace: true,
    };
  }
  const remote = getRemote(project.config, remoteName);
  const params = maintenanceParams(remote);
  return {
    params,
    url: connectionUrl(params),
    remote: remote.name,
    protectedRemote: isProtectedRemote(remote),
    allowReplace: remote.allowDestructive,
  };
}

/** The --to name, checked: a valid name, and not the database dbfast itself connects to. */
export function checkTargetName(name: string, target: RestoreTarget): string {
  validateDatabaseName(name, 'restore target');
  if (name === target.params.database) {
    throw usageError(
      'restore.maintenance_db',
      `Cannot restore into "${name}": it is the database dbfast connects to for maintenance.`,
      'Choose another --to name.',
    );
  }
  return name;
}

export interface Confirmations {
  /** Replacing an existing database was confirmed (--yes or a prompt). */
  replace?: boolean | undefined;
  /** The remote's name as typed (or given with --confirm) by the user. */
  typedRemote?: string | undefined;
}

/**
 * Throw a refusal (exit 2) unless every confirmation this restore (or deploy: `action`, which
 * names the error codes and messages) needs was given.
 */
export function requireConfirmations(
  target: RestoreTarget,
  targetName: string,
  replacing: boolean,
  given: Confirmations,
  action: 'restore' | 'deploy' = 'restore',
): void {
  if (replacing && !target.allowReplace) {
    throw usageError(
      `${action}.not_allowed`,
      `Refusing to replace database "${targetName}" on remote "${target.remote}": allow_destructive is false.`,
      action === 'restore'
        ? `Set allow_destructive = true in [remotes.${target.remote}], or restore under a new --to name.`
        : `Set allow_destructive = true in [remotes.${target.remote}]; with false, a deploy may only create a database that does not exist yet.`,
    );
  }
  if (target.protectedRemote && given.typedRemote !== target.remote) {
    throw usageError(
      `${action}.unconfirmed`,
      `Refusing to ${action} onto protected remote "${target.remote}" without its name typed.`,
      `Run on a terminal with --yes and type "${target.remote}" when asked, or (scripts) pass --yes --confirm ${target.remote}.`,
    );
  }
  if (replacing && given.replace !== true) {
    throw usageError(
      `${action}.unconfirmed`,
      `Refusing to replace existing database "${targetName}" without confirmation.`,
      'Add --yes, or run on a terminal to be asked. The old database is kept under a new name.',
    );
  }
}
