import type pg from 'pg';
import { readMetadata } from '../catalog/label.js';
import { generatedCloneName, ownPatternOf } from '../catalog/names.js';
import { requireReplaceable } from '../catalog/ownership.js';
import { lastUseOf, touchDue, touchTemplate } from '../catalog/usage.js';
import type { EnvironmentConfig } from '../config/types.js';
import { connectionUrl } from '../config/url.js';
import { DbfastError, ExitCode, interruptedError, isDbfastError, usageError } from '../errors.js';
import type { Project } from '../project.js';
import { databaseExists, dropDatabase, isDuplicateDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { currentTemplate, ensureTemplate, type TemplateResult } from '../template/ensure.js';
import { createClone } from './create-database.js';
import { claimPoolMember } from './pool.js';

/** What `cloneDatabase` (and a handle's `clone()`) makes, from which template. */
export interface CloneOptions {
  /** Name of the new database; generated when omitted. */
  name?: string;
  env?: string;
  /** Clone this template (any template database) instead of the environment's current one. */
  template?: string;
  /** Replace an existing database of that name. */
  force?: boolean;
  owner?: string;
  /** false: never build; fail when the current template is missing or stale. */
  build?: boolean;
  /** gc may drop the clone after this many milliseconds. */
  ttlMs?: number;
  /** The library handle (test run) that asks, recorded in the clone's label. */
  run?: string;
  /**
   * Aborting stops the clone: a template build it started is abandoned, a database it made
   * is dropped again, and the call rejects with `interrupted` (exit code 130).
   */
  signal?: AbortSignal | undefined;
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

/** A clone just made: its name, URL (no password), template, strategy and timings. */
export interface CloneResult {
  name: string;
  /** Connection URL of the clone, without a password. */
  url: string;
  template: string;
  env: string;
  strategy: string;
  /** The pool member it was claimed from, if any. */
  fromPool: string | undefined;
  templateBuilt: boolean;
  timings: { templateMs: number; createMs: number; totalMs: number };
}

/** Resolve the template a clone comes from, building it when allowed and needed. */
export async function resolveTemplate(
  project: Project,
  client: pg.Client,
  options: Pick<CloneOptions, 'env' | 'template' | 'build'>,
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
async function findTemplate(
  project: Project,
  client: pg.Client,
  options: Pick<CloneOptions, 'env' | 'template'>,
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
    serverMajor: Math.floor(Number(row.v) / 10000),
    built: false,
    usedAt:
      metadata?.dbfast === 'template' && metadata.project === project
        ? lastUseOf(metadata)
        : undefined,
  };
}

/**
 * Make a fresh database from the current template (building it first when stale, unless
 * build is false). Claims a ready pool member when the environment has a pool, else runs
 * CREATE DATABASE … TEMPLATE with the strategy chosen for the template's size and server.
 * An existing database of that name is an error unless `force`, and even then only a clone of
 * this project is replaced (anything else: `clone.not_replaceable`, exit code 2). The clone is
 * a copy of the template as published; database-level GRANTs and `ALTER DATABASE … SET` are
 * not copied (PostgreSQL does not). Safe from many processes.
 */
export async function cloneDatabase(
  project: Project,
  options: CloneOptions = {},
): Promise<CloneResult> {
  const started = performance.now();
  const attempt = async (): Promise<CloneResult> => {
    const ready = await project.withClient(async (client) => {
      const found = await findTemplate(project, client, options);
      return found === undefined
        ? undefined
        : cloneFromTemplate(project, client, found, options, started);
    });
    if (ready !== undefined) return ready;
    const template = await resolveWithoutConnection(project, options);
    return project.withClient((client) =>
      cloneFromTemplate(project, client, template, options, started),
    );
  };
  const made = await attempt().catch((error: unknown) => {
    if (options.template !== undefined || !templateVanished(error)) throw error;
    return attempt();
  });
  if (options.signal?.aborted === true) {
    // Interrupted while CREATE DATABASE ran (the server finishes it): take it back.
    await project.withClient((client) => dropDatabase(client, made.name));
    throw interruptedError();
  }
  return made;
}

/**
 * Build the template (or wait for another process's build) while this clone holds no
 * connection: 32 clones waiting for one build must not fill max_connections and starve it.
 */
async function resolveWithoutConnection(
  project: Project,
  options: CloneOptions,
): Promise<TemplateRef> {
  if (options.build === false) {
    return project.withClient((client) => resolveTemplate(project, client, options));
  }
  return templateRef(
    await ensureTemplate(project, {
      env: project.environment(options.env).name,
      signal: options.signal,
    }),
  );
}

/**
 * Whether a clone failed because its template no longer exists: gc dropped a template that
 * went stale between resolving and CREATE DATABASE, or a cached template was replaced. The
 * caller resolves the template again and retries once.
 */
export function templateVanished(error: unknown): boolean {
  return isDbfastError(error) && error.code === 'clone.failed' && error.pg?.code === '3D000';
}

/**
 * The part of a clone after the template is known, on an open connection: claim a pool
 * member or CREATE DATABASE, then label it. Shared by cloneDatabase and the library handle.
 */
export async function cloneFromTemplate(
  project: Project,
  client: pg.Client,
  template: TemplateRef,
  options: CloneOptions,
  started: number,
): Promise<CloneResult> {
  const env = project.environment(options.env);
  const params = await project.connection();
  const templateMs = performance.now() - started;
  const name = cloneName(options.name, project.config.database.templateName, env.name);
  let fromPool: string | undefined;
  let strategy = 'pool';
  if (env.poolSize > 0 && usesPool(template, env.name, options)) {
    if (options.force === true && (await databaseExists(client, name))) {
      await requireReplaceable(client, project.id, name);
      await dropDatabase(client, name);
    }
    fromPool = await claimPoolMember(client, template.name, name, {
      project: project.id,
      env: env.name,
      creator: 'pool',
      ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
      ...(options.run === undefined ? {} : { run: options.run }),
    }).catch((error) => {
      // The name is taken: let createClone report it the same way as without a pool.
      if (isDuplicateDatabase(error)) return undefined;
      throw error;
    });
  }
  if (fromPool === undefined) {
    const created = await createClone(client, {
      name,
      project: project.id,
      template: template.name,
      env: template.env,
      serverMajor: template.serverMajor,
      templateBytes: template.sizeBytes,
      strategy: project.config.database.cloneStrategy,
      owner: options.owner,
      force: options.force,
      ttlMs: options.ttlMs,
      run: options.run,
    });
    strategy = created.strategy;
  }
  const totalMs = performance.now() - started;
  if (touchDue(template.usedAt)) {
    // After the clone is made and timed: a few minutes' worth of clones share one update.
    template.usedAt = Date.now();
    await touchTemplate(client, project.id, template.name);
  }
  return {
    name,
    url: connectionUrl(params, name),
    template: template.name,
    env: template.env,
    strategy,
    fromPool,
    templateBuilt: template.built,
    timings: { templateMs, createMs: totalMs - templateMs, totalMs },
  };
}

/** The clone's name: given (and not one of dbfast's own patterns), or generated. */
function cloneName(given: string | undefined, templateName: string, env: string): string {
  if (given === undefined) return generatedCloneName(templateName, env);
  const name = validateDatabaseName(given);
  const pattern = ownPatternOf(name);
  if (pattern !== undefined) {
    throw usageError(
      'clone.reserved_name',
      `The clone name "${name}" looks like ${pattern} dbfast makes and manages itself.`,
      'Choose a name that does not end in "_" and 12 hex digits (optionally followed by "_b" or "_p" and 8 hex digits).',
    );
  }
  return name;
}

/**
 * Whether a clone may come from (and refill) the environment's pool: the environment's own
 * template, found or given by name (the vitest helper names the template its globalSetup
 * resolved), and no owner of its own (members belong to the connecting role).
 */
export function usesPool(
  template: TemplateRef,
  env: string,
  options: Pick<CloneOptions, 'template' | 'owner'>,
): boolean {
  if (options.owner !== undefined) return false;
  return options.template === undefined || template.env === env;
}
