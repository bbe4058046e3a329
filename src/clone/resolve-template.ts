import type pg from 'pg';
import { readMetadata } from '../catalog/label.js';
import { lastUseOf } from '../catalog/usage.js';
import type { EnvironmentConfig } from '../config/types.js';
import { DbfastError, ExitCode } from '../errors.js';
import type { Project } from '../project.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { majorOf } from '../server/info.js';
import { currentTemplate, ensureTemplate, type TemplateResult } from '../template/ensure.js';

/** Which template a clone comes from, and whether it may be built. */
export interface TemplateChoice {
  env?: string | undefined;
  /** Clone this template (any template database) instead of the environment's current one. */
  template?: string | undefined;
  /** false: never build; fail when the current template is missing or stale. */
  build?: boolean | undefined;
}

/** The template to clone: its name, size and the server's major version. */
export interface TemplateRef {
  name: string;
  env: string;
  sizeBytes: number;
  serverMajor: number;
  /** Whether resolving it built it just now. */
  built: boolean;
  /**
   * Epoch ms of its last recorded use, when it is this project's template; clones refresh
   * it (and this field) at most every few minutes, after the clone is made.
   */
  usedAt: number | undefined;
}

/** Resolve the template a clone comes from, building it when allowed and needed. */
export async function resolveTemplate(
  project: Project,
  client: pg.Client,
  options: TemplateChoice,
): Promise<TemplateRef> {
  const found = await findTemplate(project, client, options);
  if (found !== undefined) return found;
  const env = project.environment(options.env);
  if (options.build === false) {
    throw new DbfastError(
      'clone.template_stale',
      `The template of environment "${env.name}" is missing or stale, and --no-build was given.`,
      {
        hint: 'Run `dbfast template build`, or clone without --no-build. `dbfast template status --why` says what changed.',
      },
    );
  }
  return templateRef(await ensureTemplate(project, { env: env.name }, client));
}

/** The template to clone when it exists and is current (or is named explicitly); one query. */
export async function findTemplate(
  project: Project,
  client: pg.Client,
  options: Omit<TemplateChoice, 'build'>,
): Promise<TemplateRef | undefined> {
  const env = project.environment(options.env);
  if (options.template !== undefined)
    return explicitTemplate(
      client,
      project.id,
      validateDatabaseName(options.template, 'template name'),
      env,
    );
  const { major, name, found } = await currentTemplate(project, client, env);
  if (found === undefined) return undefined;
  return {
    name,
    env: env.name,
    sizeBytes: found.metadata.sizeBytes,
    serverMajor: major,
    built: false,
    usedAt: lastUseOf(found.metadata),
  };
}

/** A template as ensureTemplate returned it, as a clone needs it. */
export function templateRef(template: TemplateResult): TemplateRef {
  return {
    name: template.name,
    env: template.env,
    sizeBytes: template.sizeBytes,
    serverMajor: template.serverMajor,
    built: template.built,
    usedAt: Date.parse(template.lastUsedAt ?? template.createdAt),
  };
}

async function explicitTemplate(
  client: pg.Client,
  project: string,
  name: string,
  env: EnvironmentConfig,
): Promise<TemplateRef> {
  const { rows } = await client.query<{ size: string; v: string; datistemplate: boolean }>(
    "SELECT pg_database_size(oid) AS size, current_setting('server_version_num') AS v, datistemplate FROM pg_database WHERE datname = $1",
    [name],
  );
  const row = rows[0];
  if (row === undefined) {
    throw new DbfastError('clone.template_missing', `Template database "${name}" does not exist.`, {
      hint: 'See `dbfast template list`.',
      exitCode: ExitCode.usage,
    });
  }
  const metadata = await readMetadata(client, name);
  return {
    name,
    env: metadata?.dbfast === 'template' ? metadata.env : env.name,
    sizeBytes: Number(row.size),
    serverMajor: majorOf(row.v),
    built: false,
    usedAt:
      metadata?.dbfast === 'template' && metadata.project === project
        ? lastUseOf(metadata)
        : undefined,
  };
}
