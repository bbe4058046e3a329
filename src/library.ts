import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import {
  type CloneOptions,
  type CloneResult,
  cloneFromTemplate,
  resolveTemplate,
  type TemplateRef,
  templateRef,
  templateVanished,
} from './clone/clone.js';
import { fillPool } from './clone/pool.js';
import { type OpenProjectOptions, openProject, type Project } from './project.js';
import { connect, withClient } from './server/connection.js';
import { dropDatabase } from './server/databases.js';
import {
  type EnsureTemplateOptions,
  ensureTemplate,
  type TemplateResult,
} from './template/ensure.js';

/** A clone handed out by the library, with a way to drop it. */
export interface ClonedDatabase extends CloneResult {
  /** Drop this database (whoever is still connected to it). */
  drop(): Promise<void>;
}

/** Options of createDbfast: the project's, plus what the clones it makes are labelled with. */
export interface DbfastOptions extends OpenProjectOptions {
  /**
   * ttl of the clones this handle makes (unless a clone asks otherwise), so that `dbfast gc`
   * collects what an interrupted or crashed test run left. Default 24 hours; `null`: none.
   */
  cloneTtlMs?: number | null;
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
  /** Close the connection and wait for background pool refills. Call once, at the end. */
  close(): Promise<void>;
}

/**
 * Open a dbfast handle. It keeps ONE connection to the server for its lifetime (cloning on
 * an open connection is what makes a clone cost little more than CREATE DATABASE itself) and
 * checks each environment's template once: the first `clone()` of an environment builds or
 * finds the current template, later ones reuse it. Call `ensureTemplate()` to check again.
 *
 * Safe to use from many processes or workers at once, each with its own handle. Calls on
 * one handle are serialised on its connection.
 */
export async function createDbfast(options: DbfastOptions = {}): Promise<Dbfast> {
  const { cloneTtlMs = DEFAULT_CLONE_TTL_MS, ...projectOptions } = options;
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
  const refills = new Set<Promise<unknown>>();
  const refilling = new Set<string>();

  const refill = (env: string): void => {
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
      const attempt = async (): Promise<CloneResult> => {
        let template = cloneOptions.template === undefined ? templates.get(env.name) : undefined;
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
      // Top the pool up off the request's path (close() waits for it).
      if (env.poolSize > 0 && cloneOptions.template === undefined) refill(env.name);
      return {
        ...result,
        drop: async () => {
          // After close() (vitest may run hooks in either order): a connection of its own,
          // closed again, so nothing is left open.
          if (client === undefined) await withClient(params, (c) => dropDatabase(c, result.name));
          else await dropDatabase(client, result.name);
        },
      };
    },
    async close() {
      await Promise.all(refills);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
