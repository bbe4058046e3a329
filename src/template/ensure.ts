import { hostname } from 'node:os';
import type pg from 'pg';
import { readMetadata, type TemplateMetadata, writeMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { templateDatabaseName } from '../catalog/names.js';
import { describeLabel } from '../catalog/ownership.js';
import {
  abandonedWork,
  buildLock,
  lockWork,
  unlockWork,
  workLock,
  workName,
} from '../catalog/work.js';
import type { EnvironmentConfig } from '../config/types.js';
import { DbfastError, interruptedError, throwIfAborted } from '../errors.js';
import { applyRepository } from '../presets/apply.js';
import type { Project } from '../project.js';
import { withClient, withPolledAdvisoryLock } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';
import { serverMajor } from '../server/info.js';
import { VERSION } from '../version.js';
import { analyzeUserTables } from './analyze.js';
import { computeFingerprint, explain, explanationLines, type Fingerprint } from './fingerprint.js';
import { publishTemplate } from './publish.js';

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
 * the others wait and get it).
 */
export async function ensureTemplate(
  project: Project,
  options: EnsureTemplateOptions = {},
  connection?: pg.Client,
): Promise<TemplateResult> {
  const env = project.environment(options.env);
  const params = await project.connection();
  // The no-change check is on every clone's path: reuse the caller's connection when given.
  const withConnection = <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> =>
    connection === undefined ? withClient(params, fn) : fn(connection);
  const { fingerprint, name, found } = await withConnection((client) =>
    currentTemplate(project, client, env),
  );
  if (found !== undefined && options.force !== true)
    return result(found.name, found.metadata, false, []);

  // Waiting for another process's build costs no connection (see withPolledAdvisoryLock).
  return withPolledAdvisoryLock(
    params,
    buildLock(name),
    async (client) => {
      // Another process may have built it while this one waited for the lock.
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
      const metadata = await build(project, client, env, fingerprint, name, options.signal);
      return result(name, metadata, true, reasons);
    },
    options.signal,
  );
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

/** Build into a scratch database, mark it complete and publish it by renaming. */
async function build(
  project: Project,
  client: pg.Client,
  env: EnvironmentConfig,
  fingerprint: Fingerprint,
  name: string,
  signal: AbortSignal | undefined,
): Promise<TemplateMetadata> {
  const started = performance.now();
  // A work name held by this session's lock (catalog/work.ts): whatever kills this process,
  // gc sees the lock free and removes the scratch database; while it lives, nothing does.
  // Leftovers of this project's killed builds and clones go first: the next command repairs.
  await abandonedWork(client, project.id);
  throwIfAborted(signal);
  const scratch = workName(project.id);
  await lockWork(client, scratch);
  // Ctrl-C: drop the scratch database now, which ends the session running the files.
  const stop = (): void => void abandonOwnBuilds(project).catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await client.query(`CREATE DATABASE ${databaseIdent(scratch)}`);
    await writeMetadata(client, scratch, {
      dbfast: 'build',
      project: project.id,
      lock: workLock(scratch),
      template: name,
      startedAt: new Date().toISOString(),
      pid: process.pid,
      host: hostname(),
    });
    throwIfAborted(signal);
    await applyRepository(project, { database: scratch, env: env.name });
    const params = await project.connection();
    await withClient(params, analyzeUserTables, { database: scratch });
    const { rows } = await client.query<{ size: string; version: string }>(
      "SELECT pg_database_size($1) AS size, current_setting('server_version') AS version",
      [scratch],
    );
    // No one may connect to a template: a connected session would make cloning fail (55006).
    await client.query(
      `ALTER DATABASE ${databaseIdent(scratch)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
    );
    const metadata: TemplateMetadata = {
      dbfast: 'template',
      project: project.id,
      complete: true,
      version: VERSION,
      fingerprint: fingerprint.hash,
      formatVersion: fingerprint.formatVersion,
      env: env.name,
      configHash: fingerprint.configHash,
      serverMajor: fingerprint.serverMajor,
      files: fingerprint.files,
      extraInputs: fingerprint.extraInputs,
      createdAt: new Date().toISOString(),
      buildMs: Math.round(performance.now() - started),
      serverVersion: rows[0]?.version ?? '',
      sizeBytes: Number(rows[0]?.size ?? 0),
      kind: 'repository',
    };
    throwIfAborted(signal);
    // Only our own template of that name is ever replaced.
    await requireOwnTemplate(client, project.id, name);
    // The final label only ever sits on the final name: it is written in the publishing
    // transaction; until then the scratch database is labelled `build`, which nothing takes
    // for a template or drops while its builder lives.
    await publishTemplate(client, scratch, name, metadata);
    return metadata;
  } catch (error) {
    await dropDatabase(client, scratch).catch(() => undefined);
    if (signal?.aborted === true) throw interruptedError();
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
    await unlockWork(client, scratch);
  }
}

/**
 * Drop the scratch databases of builds this process is running (watch mode's Ctrl-C): the
 * build's session is terminated with them, so the build fails and leaves nothing behind.
 */
export async function abandonOwnBuilds(project: Project): Promise<string[]> {
  return project.withClient(async (client) => {
    const entries = await listOwned(client, project.id);
    const mine = entries.filter(
      (e) =>
        e.metadata?.dbfast === 'build' &&
        e.metadata.pid === process.pid &&
        e.metadata.host === hostname(),
    );
    for (const entry of mine) await dropDatabase(client, entry.name);
    return mine.map((e) => e.name);
  });
}

/**
 * Refuse to publish over `name` unless it is missing or this project's template (the one a
 * forced or expired rebuild replaces; we hold the template's build lock). Anything else of
 * that name is left alone.
 */
async function requireOwnTemplate(client: pg.Client, project: string, name: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if ((rowCount ?? 0) === 0) return;
  const metadata = await readMetadata(client, name);
  if (metadata?.dbfast === 'template' && metadata.project === project) return;
  throw new DbfastError(
    'template.name_taken',
    `Cannot build: the name "${name}" is taken by ${describeLabel(metadata, project)}.`,
    { hint: 'dbfast leaves it alone. Rename or drop it yourself, then build again.' },
  );
}
