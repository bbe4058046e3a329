import type pg from 'pg';
import type { TemplateMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { templateDatabaseName } from '../catalog/names.js';
import { buildLock, whileUnlocked } from '../catalog/work.js';
import type { EnvironmentConfig } from '../config/types.js';
import type { Project } from '../project.js';
import { withClient, withPolledAdvisoryLock } from '../server/connection.js';
import { serverMajor } from '../server/info.js';
import { lockKey } from '../server/locks.js';
import { buildTemplate } from './build.js';
import { computeFingerprint, explain, explanationLines, type Fingerprint } from './fingerprint.js';

/** The current template of an environment, as `ensureTemplate` found or built it. */
export interface TemplateResult {
  name: string;
  env: string;
  fingerprint: string;
  /** Whether this call built it (false: it was current already). */
  built: boolean;
  /** Why it was built (empty when it was current). */
  reasons: string[];
  buildMs: number;
  sizeBytes: number;
  createdAt: string;
  /** When a clone last recorded using it (see catalog/usage.ts). */
  lastUsedAt: string | undefined;
  serverMajor: number;
}

/** Which environment `ensureTemplate` makes current, and whether to rebuild anyway. */
export interface EnsureTemplateOptions {
  env?: string;
  /** Rebuild even when a current template exists. */
  force?: boolean;
  /**
   * Aborting stops the build: its scratch database is dropped (which ends the session
   * running the files) and the call rejects with `interrupted` (exit code 130).
   */
  signal?: AbortSignal | undefined;
}

/**
 * This project's templates of one environment (by label), newest first, plus the server's
 * major version.
 */
export async function environmentTemplates(
  client: pg.Client,
  project: string,
  env: string,
): Promise<{ major: number; templates: { name: string; metadata: TemplateMetadata }[] }> {
  const [major, entries] = await Promise.all([serverMajor(client), listOwned(client, project)]);
  const templates = entries
    .filter(
      (entry) =>
        entry.metadata?.dbfast === 'template' && entry.metadata.env === env && entry.isTemplate,
    )
    .map((entry) => ({ name: entry.name, metadata: entry.metadata as TemplateMetadata }))
    .sort((a, b) => b.metadata.createdAt.localeCompare(a.metadata.createdAt));
  return { major, templates };
}

/** An environment's templates, its current fingerprint, and the current template if it exists. */
export interface CurrentTemplate {
  major: number;
  templates: { name: string; metadata: TemplateMetadata }[];
  fingerprint: Fingerprint;
  /** The name the current template has (whether or not it exists). */
  name: string;
  /** The current template, when it exists and its ttl has not passed. */
  found: { name: string; metadata: TemplateMetadata } | undefined;
}

/** Find the current template of `env`: one query, then the fingerprint. Builds nothing. */
export async function currentTemplate(
  project: Project,
  client: pg.Client,
  env: EnvironmentConfig,
): Promise<CurrentTemplate> {
  const { major, templates } = await environmentTemplates(client, project.id, env.name);
  const fingerprint = await computeFingerprint(project.config, env, major);
  const name = templateDatabaseName(
    project.config.database.templateName,
    project.id,
    env.name,
    fingerprint.hash,
  );
  const found = templates.find((t) => t.name === name && !isExpired(t.metadata, env));
  return { major, templates, fingerprint, name, found };
}

export function isExpired(
  metadata: TemplateMetadata,
  env: EnvironmentConfig,
  now = Date.now(),
): boolean {
  return env.ttlMs !== undefined && now - Date.parse(metadata.createdAt) > env.ttlMs;
}

/**
 * Return the current template of an environment, building it first when it is missing,
 * stale (files, config, server version, extra inputs changed) or past its ttl.
 *
 * Guarantees: never leaves a half-built template visible (it is built under a scratch name,
 * published by renaming it and writing its final label in one statement); a crash or Ctrl-C
 * at any moment leaves at most a scratch database under a work name whose advisory lock is
 * free, dropped by the next build or by gc (never while its builder lives); safe from any
 * number of processes at once (an advisory lock keyed by the template name: one builds,
 * the others wait and get it). A template it replaces is dropped off its path (retire.ts).
 */
export async function ensureTemplate(
  project: Project,
  options: EnsureTemplateOptions = {},
  connection?: pg.Client,
): Promise<TemplateResult> {
  const env = project.environment(options.env);
  const params = await project.connection();
  const lookup = async (client: pg.Client): Promise<TemplateResult | CurrentTemplate> => {
    const current = await currentTemplate(project, client, env);
    const { found } = current;
    if (found !== undefined && options.force !== true)
      return result(found.name, found.metadata, false, []);
    return current;
  };
  let current: CurrentTemplate;
  if (connection !== undefined) {
    // The no-change check is on every clone's path: it runs on the caller's connection.
    const looked = await lookup(connection);
    if (!('templates' in looked)) return looked;
    current = looked;
  } else {
    // One connection for the lookup and, when the build lock is free, the build itself.
    const outcome = await withClient(params, async (client): Promise<Outcome> => {
      const looked = await lookup(client);
      if (!('templates' in looked)) return { done: looked };
      const built: { value?: TemplateResult } = {};
      await whileUnlocked(client, lockKey(buildLock(looked.name)), async () => {
        built.value = await buildLocked(project, client, looked, options);
      });
      return built.value !== undefined ? { done: built.value } : { current: looked };
    });
    if ('done' in outcome) return outcome.done;
    current = outcome.current;
  }
  // Another process is building it. Waiting costs no connection (see withPolledAdvisoryLock).
  return withPolledAdvisoryLock(
    params,
    buildLock(current.name),
    (client) => buildLocked(project, client, current, options),
    options.signal,
  );
}

type Outcome = { done: TemplateResult } | { current: CurrentTemplate };

/** Holding the template's build lock: build it, unless another process just did. */
async function buildLocked(
  project: Project,
  client: pg.Client,
  current: CurrentTemplate,
  options: EnsureTemplateOptions,
): Promise<TemplateResult> {
  const { name, fingerprint, major } = current;
  const env = project.environment(options.env);
  // Another process may have built it since the lookup.
  const again = await environmentTemplates(client, project.id, env.name);
  const built = again.templates.find((t) => t.name === name && !isExpired(t.metadata, env));
  if (built !== undefined && options.force !== true)
    return result(built.name, built.metadata, false, []);
  const previous = again.templates.find((t) => t.name === name) ?? again.templates[0];
  const reasons =
    options.force === true ? ['--force'] : reasonsFor(previous?.metadata, fingerprint, env);
  project.reporter.notice?.(
    `Building template ${name} (${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? `; and ${reasons.length - 3} more` : ''})`,
  );
  const replacing = again.templates.some((t) => t.name === name);
  const plan = { env, fingerprint, name, major, replacing };
  const metadata = await buildTemplate(project, client, plan, options.signal);
  return result(name, metadata, true, reasons);
}

function reasonsFor(
  previous: TemplateMetadata | undefined,
  fingerprint: Fingerprint,
  env: EnvironmentConfig,
): string[] {
  if (previous !== undefined && previous.fingerprint === fingerprint.hash) {
    return isExpired(previous, env) ? ['its ttl passed'] : ['it is missing'];
  }
  if (previous === undefined) return ['no template has been built yet'];
  return explanationLines(explain(previous, fingerprint));
}

function result(
  name: string,
  metadata: TemplateMetadata,
  built: boolean,
  reasons: string[],
): TemplateResult {
  return {
    name,
    env: metadata.env,
    fingerprint: metadata.fingerprint,
    built,
    reasons,
    buildMs: metadata.buildMs,
    sizeBytes: metadata.sizeBytes,
    createdAt: metadata.createdAt,
    lastUsedAt: metadata.lastUsedAt,
    serverMajor: metadata.serverMajor,
  };
}
