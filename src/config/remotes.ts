import type { CheckedConfig, SectionValues } from './schema.js';
import type { ConnectionParams, EnvironmentConfig, RemoteConfig } from './types.js';
import { parseConnectionUrl } from './url.js';

/**
 * `[remotes.NAME]`, resolved: the URL parsed, the password read from `password_env`, the
 * environment checked against the defined ones. A remote with a problem is left out and its
 * problems are added to `problems`.
 */
export function resolveRemotes(
  entries: CheckedConfig['remotes'],
  environments: Record<string, EnvironmentConfig>,
  env: Record<string, string | undefined>,
  problems: string[],
): Record<string, RemoteConfig> {
  const remotes: Record<string, RemoteConfig> = {};
  for (const [name, fields] of Object.entries(entries)) {
    const remote = resolveRemote(name, fields, environments, env, problems);
    if (remote !== undefined) remotes[name] = remote;
  }
  return remotes;
}

function resolveRemote(
  name: string,
  fields: SectionValues<'remotes'>,
  environments: Record<string, EnvironmentConfig>,
  env: Record<string, string | undefined>,
  problems: string[],
): RemoteConfig | undefined {
  const { url, environment, password_env: passwordEnv } = fields;
  if (url === undefined) {
    problems.push(`remotes.${name}.url: missing; every remote needs a url`);
    return undefined;
  }
  if (environment !== undefined && environments[environment] === undefined) {
    problems.push(
      `remotes.${name}.environment: no environment "${environment}" is defined; known: ${Object.keys(environments).join(', ')}`,
    );
  }
  let connection: ConnectionParams;
  try {
    connection = parseConnectionUrl(url, `remotes.${name}.url`);
  } catch (error) {
    problems.push(`remotes.${name}.url: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const password = passwordEnv === undefined ? undefined : env[passwordEnv];
  if (password !== undefined && password !== '') connection.password = password;
  return {
    name,
    url,
    connection,
    passwordEnv,
    environment,
    allowDestructive: fields.allow_destructive ?? false,
    backupBeforeDeploy: fields.backup_before_deploy ?? true,
    requireConfirmation: fields.require_confirmation ?? environment === 'production',
  };
}
