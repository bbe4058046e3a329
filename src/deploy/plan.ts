import {
  checkTargetName,
  type RestoreTarget,
  resolveRestoreTarget,
} from '../backup/restore-target.js';
import type { RemoteConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { validateEnvironment } from '../presets/validate.js';
import type { Project } from '../project.js';
import { getRemote } from '../remote/remotes.js';
import { withClient } from '../server/connection.js';
import { databaseExists } from '../server/databases.js';
import { serverInfo } from '../server/info.js';
import type { PgTool } from '../server/pg-tools.js';
import { assertEnvironmentValid } from '../sql/environments.js';
import { currentTemplate } from '../template/ensure.js';
import { deployTools } from './tools.js';

/** Which remote `deployTemplate` (or `planDeploy`) targets, from which environment, confirmed how. */
export interface DeployOptions {
  /** The remote ([remotes.NAME]) whose database is replaced by the template's contents. */
  remote: string;
  /** The environment whose template is deployed; default the remote's `environment`. */
  env?: string | undefined;
  /** Back the remote database up first; default the remote's backup_before_deploy. */
  backup?: boolean | undefined;
  /** Skip GRANT/REVOKE (the template's roles may not exist on the remote). */
  noAcl?: boolean | undefined;
  /** Replacing an existing database was confirmed (--yes or a prompt). */
  replace?: boolean | undefined;
  /** The remote's name as typed (or given with --confirm): needed for protected remotes. */
  typedRemote?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** What a deploy would do, read from both servers without changing anything. */
export interface DeployPlan {
  remote: string;
  env: string;
  /** The remote's database: created, or replaced. */
  database: string;
  /** The remote's server URL, without a password. */
  server: string;
  exists: boolean;
  replacing: boolean;
  /** The template that is deployed, and whether it has to be built first. */
  template: { name: string; build: boolean; serverMajor: number };
  remoteMajor: number;
  /** The remote database is backed up first (it exists and backup_before_deploy). */
  backup: boolean;
  /** The remote's name must be typed (production environment, or require_confirmation). */
  protectedRemote: boolean;
  /** Replacing is allowed at all (allow_destructive). */
  allowReplace: boolean;
  /** The pg_dump/pg_restore that would stream it, or why there is none. */
  tools: { pgDump: string; pgRestore: string } | { problem: string };
  /** Environment warnings (errors stop the plan). */
  warnings: string[];
}

/** The parts of a plan deploy itself needs, beyond what is shown. */
export interface PlanParts {
  plan: DeployPlan;
  target: RestoreTarget;
  remoteConfig: RemoteConfig;
  tools: { pgDump: PgTool; pgRestore: PgTool } | undefined;
  toolError: unknown;
}

/**
 * Read everything a deploy decides on: the environment (validated: errors throw
 * `env.invalid`), the current template (built or not), the remote's database (exists or not)
 * and both servers' versions (which pg_dump can stream). Changes nothing.
 */
export async function planParts(project: Project, options: DeployOptions): Promise<PlanParts> {
  const remoteConfig = getRemote(project.config, options.remote);
  const env = project.environment(options.env ?? remoteConfig.environment);
  const validation = await validateEnvironment(project, env.name);
  assertEnvironmentValid(validation);
  const resolved = await resolveRestoreTarget(project, remoteConfig.name);
  const target: RestoreTarget = {
    ...resolved,
    // Deploying a production environment asks for the name however the remote is set up.
    protectedRemote: resolved.protectedRemote || env.name === 'production',
  };
  const database = checkTargetName(remoteConfig.connection.database, target);
  const [template, remote] = await Promise.all([
    project.withClient((client) => currentTemplate(project, client, env)),
    withClient(target.params, async (client) => ({
      info: await serverInfo(client),
      exists: await databaseExists(client, database),
    })),
  ]);
  const local = await project.connection();
  let tools: PlanParts['tools'];
  let toolError: unknown;
  try {
    tools = await deployTools(
      {
        template: { major: template.major, where: `${local.host}:${local.port}` },
        remote: { major: remote.info.major, where: `${target.params.host}:${target.params.port}` },
      },
      { binDir: project.config.server.binDir },
    );
  } catch (error) {
    toolError = error;
  }
  const plan: DeployPlan = {
    remote: remoteConfig.name,
    env: env.name,
    database,
    server: target.url,
    exists: remote.exists,
    replacing: remote.exists,
    template: {
      name: template.name,
      build: template.found === undefined,
      serverMajor: template.major,
    },
    remoteMajor: remote.info.major,
    backup: remote.exists && (options.backup ?? remoteConfig.backupBeforeDeploy),
    protectedRemote: target.protectedRemote,
    allowReplace: target.allowReplace,
    tools:
      tools === undefined
        ? { problem: errorMessage(toolError) }
        : {
            pgDump: `${tools.pgDump.version} at ${tools.pgDump.path}`,
            pgRestore: `${tools.pgRestore.version} at ${tools.pgRestore.path}`,
          },
    warnings: validation.warnings,
  };
  return { plan, target, remoteConfig, tools, toolError };
}

/** What `dbfast deploy --dry-run` shows: the plan, nothing changed. */
export async function planDeploy(project: Project, options: DeployOptions): Promise<DeployPlan> {
  return (await planParts(project, options)).plan;
}
