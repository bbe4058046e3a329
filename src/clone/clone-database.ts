import type pg from 'pg';
import { generatedCloneName, ownPatternOf } from '../catalog/names.js';
import { requireReplaceable } from '../catalog/ownership.js';
import { touchDue, touchTemplate } from '../catalog/usage.js';
import { connectionUrl } from '../config/url.js';
import { interruptedError, isDbfastError, usageError } from '../errors.js';
import type { Project } from '../project.js';
import { databaseExists, dropDatabase, isDuplicateDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { ensureTemplate } from '../template/ensure.js';
import { cloneExistsError, createClone } from './create-database.js';
import { claimPoolMember } from './pool.js';
import { recordPoolMiss } from './pool-target.js';
import {
  findTemplate,
  resolveTemplate,
  type TemplateRef,
  templateRef,
} from './resolve-template.js';

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
      if (found !== undefined) return cloneFromTemplate(project, client, found, options, started);
      // Before a build (seconds, or minutes): a clone that will be refused costs nothing.
      await refuseTakenName(client, project, options);
      return undefined;
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
  let strategy = 'pool';
  const pooled = env.poolSize > 0 && usesPool(template, env.name, options);
  const fromPool = pooled
    ? await claimFromPool(client, project, template, name, options)
    : undefined;
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
  // The pool was empty: it grows toward [pool] max (after the clone is made and timed).
  if (pooled && fromPool === undefined)
    await recordPoolMiss(connectionUrl(params, template.name), template.name, env);
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

/**
 * A ready member of the environment's pool, renamed to `name` and labelled as a clone; undefined
 * when none is ready or `name` is taken (createClone then reports it as without a pool). With
 * `force`, an existing clone of this project named `name` goes first (never anything else).
 */
async function claimFromPool(
  client: pg.Client,
  project: Project,
  template: TemplateRef,
  name: string,
  options: CloneOptions,
): Promise<string | undefined> {
  if (options.force === true && (await databaseExists(client, name))) {
    await requireReplaceable(client, project.id, name);
    await dropDatabase(client, name);
  }
  return claimPoolMember(client, template.name, name, {
    project: project.id,
    env: project.environment(options.env).name,
    creator: 'pool',
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    ...(options.run === undefined ? {} : { run: options.run }),
  }).catch((error) => {
    if (isDuplicateDatabase(error)) return undefined;
    throw error;
  });
}

/**
 * The refusals a named clone would meet after a template build, checked before it: a name
 * of dbfast's own patterns, an existing database without `force`, or, with `force`, one that
 * is not a clone of this project. createClone checks again (another process may race).
 */
async function refuseTakenName(
  client: pg.Client,
  project: Project,
  options: CloneOptions,
): Promise<void> {
  if (options.name === undefined) return;
  const env = project.environment(options.env);
  const name = cloneName(options.name, project.config.database.templateName, env.name);
  if (!(await databaseExists(client, name))) return;
  if (options.force === true) await requireReplaceable(client, project.id, name);
  else throw cloneExistsError(name);
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
