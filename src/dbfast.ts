import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import {
  type CloneOptions,
  type CloneResult,
  cloneFromTemplate,
  templateVanished,
  usesPool,
} from './clone/clone-database.js';
import { fillPool } from './clone/pool.js';
import { startBackgroundRefill } from './clone/refill.js';
import { resolveTemplate, type TemplateRef, templateRef } from './clone/resolve-template.js';
import { connectionUrl } from './config/url.js';
import { type OpenProjectOptions, openProject, type Project } from './project.js';
import { connect, withClient } from './server/connection.js';
import { dropDatabase } from './server/databases.js';
import { databaseIdent } from './server/identifiers.js';
import {
  type EnsureTemplateOptions,
  ensureTemplate,
  type TemplateResult,
} from './template/ensure.js';

/**
 * The dbfast launcher (bin/dbfast.js) of this installation, for background refills. The same
 * path from dist/dbfast.js, from src/dbfast.ts and from the bundled dist/cli.cjs.
 */
const LAUNCHER = fileURLToPath(new URL('../bin/dbfast.js', import.meta.url));

/** A clone handed out by the library, with a way to drop it. */
export interface ClonedDatabase extends CloneResult {
  /**
   * Drop this database (whoever is still connected to it). With `wait: false` (PostgreSQL
   * 13 and later) the handle's connection sends the DROP and is let go without waiting for
   * the answer: the server finishes the drop (and its checkpoint) while the caller moves on
   * or exits, and the handle opens a new connection when it needs one. A drop that fails
   * then goes unnoticed: the clone's ttl lets `dbfast gc` collect it.
   */
  drop(options?: { wait?: boolean }): Promise<void>;
}

/** Options of createDbfast: the project's, plus what the clones it makes are labelled with. */
export interface DbfastOptions extends OpenProjectOptions {
  /**
   * ttl of the clones this handle makes (unless a clone asks otherwise), so that `dbfast gc`
   * collects what an interrupted or crashed test run left. Default 24 hours; `null`: none.
   */
  cloneTtlMs?: number | null;
  /**
   * Whether a clone from the pool starts a refill (default true). The vitest helper's
   * workers pass false: its globalSetup refills once, when the run is over, so that no
   * `CREATE DATABASE` of a refill competes with the tests for the machine during the run.
   */
  refillOnClone?: boolean;
}

/** Default ttl of library (test) clones: longer than any test run, shorter than forever. */
export const DEFAULT_CLONE_TTL_MS = 24 * 60 * 60 * 1000;

/** A long-lived dbfast handle for test setups and tools (see createDbfast). */
export interface Dbfast {
  readonly project: Project;
  /** This handle's run label (`<host>:<pid>:<random>`), recorded on every clone it makes. */
  readonly run: string;
  /** Build the environment's template if it is missing or stale; return it. */
  ensureTemplate(options?: EnsureTemplateOptions): Promise<TemplateResult>;
  /** A fresh database from the environment's template (or `template`). */
  clone(options?: CloneOptions): Promise<ClonedDatabase>;
  /**
   * Top the environment's pool up to its target off the caller's path: a detached
   * `dbfast pool fill` (one per template on this machine), or, without a config file, in
   * this process (close() waits for it). Does nothing when the environment has no pool.
   */
  refill(options?: { env?: string; template?: string }): Promise<void>;
  /**
   * Close the connection. Does not wait for the pool's refill, which runs in a process of
   * its own (unless the project has no config file). Call once, at the end.
   */
  close(): Promise<void>;
}

/**
 * Open a dbfast handle. It keeps ONE connection to the server for its lifetime (cloning on
 * an open connection is what makes a clone cost little more than CREATE DATABASE itself) and
 * checks each environment's template once: the first `clone()` of an environment builds or
 * finds the current template, later ones reuse it. Call `ensureTemplate()` to check again.
 *
 * Safe to use from many processes or workers at once, each with its own handle. Calls on
 * one handle are serialised on its connection. Every clone carries this project's label, the
 * handle's `run` and its ttl, so `dbfast gc` removes what a crashed run left. Throws what
 * openProject throws (an invalid dbfast.toml: exit code 2); starts the embedded server when
 * the project uses it.
 */
export async function createDbfast(options: DbfastOptions = {}): Promise<Dbfast> {
  const { cloneTtlMs = DEFAULT_CLONE_TTL_MS, refillOnClone = true, ...projectOptions } = options;
  const project = openProject(projectOptions);
  const run = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const params = await project.connection();
  let client: pg.Client | undefined;
  const admin = async (): Promise<pg.Client> => {
    client ??= await connect(params, { applicationName: 'dbfast-library' });
    return client;
  };
  // Resolved templates by environment name or explicit template name.
  const templates = new Map<string, TemplateRef>();
  const { refill, refills } = refiller(project, options.databaseUrl);

  return {
    project,
    run,
    async ensureTemplate(ensureOptions = {}) {
      const result = await ensureTemplate(project, ensureOptions);
      templates.set(result.env, {
        name: result.name,
        env: result.env,
        sizeBytes: result.sizeBytes,
        serverMajor: result.serverMajor,
        built: result.built,
        usedAt: Date.parse(result.lastUsedAt ?? result.createdAt),
      });
      return result;
    },
    async clone(asked = {}) {
      const started = performance.now();
      const cloneOptions: CloneOptions = {
        run,
        ...(cloneTtlMs === null ? {} : { ttlMs: cloneTtlMs }),
        ...asked,
      };
      const env = project.environment(cloneOptions.env);
      let template: TemplateRef | undefined;
      const attempt = async (): Promise<CloneResult> => {
        template = cloneOptions.template === undefined ? templates.get(env.name) : undefined;
        if (template === undefined) {
          // A cold start builds (or waits for another worker's build) on connections of its
          // own, opened only while needed: waiting workers must not fill max_connections.
          template =
            cloneOptions.template === undefined && cloneOptions.build !== false
              ? templateRef(await ensureTemplate(project, { env: env.name }))
              : await resolveTemplate(project, await admin(), cloneOptions);
          if (cloneOptions.template === undefined)
            templates.set(env.name, { ...template, built: false });
        }
        return cloneFromTemplate(project, await admin(), template, cloneOptions, started);
      };
      const result = await attempt().catch((error: unknown) => {
        // The remembered template is gone (gc dropped it once it went stale): look again.
        if (cloneOptions.template !== undefined || !templateVanished(error)) throw error;
        templates.delete(env.name);
        return attempt();
      });
      // Top the pool up off the request's path (a background process; see refill above).
      const pooled = template !== undefined && usesPool(template, env.name, cloneOptions);
      if (refillOnClone && env.poolSize > 0 && pooled) refill(env.name, result);
      const serverMajor = template?.serverMajor ?? 0;
      return {
        ...result,
        drop: async (dropOptions = {}) => {
          if (dropOptions.wait === false && serverMajor >= 13) {
            const sender = await admin();
            client = undefined;
            sendDropAndLetGo(sender, result.name);
            return;
          }
          // After close() (vitest may run hooks in either order): a connection of its own,
          // closed again, so nothing is left open.
          if (client === undefined) await withClient(params, (c) => dropDatabase(c, result.name));
          else await dropDatabase(client, result.name);
        },
      };
    },
    async refill(asked = {}) {
      const env = project.environment(asked.env);
      if (env.poolSize === 0) return;
      const template = asked.template ?? (await ensureTemplate(project, { env: env.name })).name;
      refill(env.name, { template, url: connectionUrl(params, template) });
      await Promise.all(refills);
    },
    async close() {
      await Promise.all(refills);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

/**
 * Send `DROP DATABASE … WITH (FORCE)` and close the connection without waiting. The server
 * reads the DROP before the disconnect and runs it to the end (a backend notices a closed
 * socket only when it next reads from it), also when this process exits right away.
 */
function sendDropAndLetGo(client: pg.Client, name: string): void {
  client
    .query(`DROP DATABASE IF EXISTS ${databaseIdent(name)} WITH (FORCE)`)
    .catch(() => undefined);
  client.end().catch(() => undefined);
}

/**
 * Top the pool up off every caller's path. With a config file: a detached `dbfast pool
 * fill` (one per template on this machine; see clone/refill.ts), so neither a clone nor
 * close() waits for it and it survives this process (a vitest worker ends after its file).
 * Inline dbfast.toml text cannot cross to another process: then the refill runs here, and
 * close() waits for it (`refills`).
 */
function refiller(
  project: Project,
  databaseUrl: string | undefined,
): {
  refill: (env: string, clone: Pick<CloneResult, 'template' | 'url'>) => void;
  refills: Set<Promise<unknown>>;
} {
  const refills = new Set<Promise<unknown>>();
  const refilling = new Set<string>();
  const refill = (env: string, clone: Pick<CloneResult, 'template' | 'url'>): void => {
    const configPath = project.config.configPath;
    if (configPath !== undefined) {
      const job = startBackgroundRefill({
        script: LAUNCHER,
        env,
        template: clone.template,
        serverUrl: clone.url,
        configPath,
        databaseUrl,
        cwd: dirname(configPath),
      })
        // A refill that cannot start only means the next claim falls back to CREATE DATABASE.
        .catch(() => undefined)
        .finally(() => refills.delete(job));
      refills.add(job);
      return;
    }
    if (refilling.has(env)) return;
    refilling.add(env);
    const job = fillPool(project, { env })
      .catch(() => undefined) // a failed refill only means the next claim falls back to CREATE DATABASE
      .finally(() => {
        refills.delete(job);
        refilling.delete(env);
      });
    refills.add(job);
  };
  return { refill, refills };
}
