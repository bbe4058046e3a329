import { hostname } from 'node:os';
import type pg from 'pg';
import { readMetadata, type TemplateMetadata, writeMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { describeLabel } from '../catalog/ownership.js';
import { abandonedWork, lockWork, unlockWork, workLock, workName } from '../catalog/work.js';
import type { ConnectionParams, EnvironmentConfig } from '../config/types.js';
import { DbfastError, interruptedError, throwIfAborted } from '../errors.js';
import { applyRepository } from '../presets/apply.js';
import type { Project } from '../project.js';
import { connect } from '../server/connection.js';
import { dropDatabase } from '../server/databases.js';
import { databaseIdent } from '../server/identifiers.js';
import { VERSION } from '../version.js';
import { analyzeUserTables } from './analyze.js';
import type { Fingerprint } from './fingerprint.js';
import { buildLabel, publishTemplate } from './publish.js';
import { closeRetirement, dropRetired, openRetirement, type Retirement } from './retire.js';

/** What a build needs to know: the template to make and what the server has now. */
export interface BuildPlan {
  env: EnvironmentConfig;
  fingerprint: Fingerprint;
  /** The template's name. */
  name: string;
  major: number;
  /** A template of that name exists (a forced or ttl-expired rebuild replaces it). */
  replacing: boolean;
}

/**
 * Build into a scratch database, mark it complete and publish it by renaming; the template
 * it replaces, if any, is dropped off the build's path (retire.ts). The caller holds the
 * template's build lock on `client`.
 */
export async function buildTemplate(
  project: Project,
  client: pg.Client,
  plan: BuildPlan,
  signal: AbortSignal | undefined,
): Promise<TemplateMetadata> {
  const started = performance.now();
  const params = await project.connection();
  // The session that will drop the replaced template: opened while the files run.
  const retiring = plan.replacing
    ? openRetirement(params, project.id, plan.major).catch(() => undefined)
    : undefined;
  let retirement: Retirement | undefined;
  let handedOff = false;
  // Ctrl-C: drop the scratch database now, which ends the session running the files.
  const stop = (): void => void abandonOwnBuilds(project).catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  const scratch = workName(project.id);
  try {
    await startScratch(project, client, scratch, plan.name, signal);
    await loadScratch(project, params, plan.env, scratch);
    const metadata = await describe(client, project, plan, scratch, started);
    throwIfAborted(signal);
    retirement = await retiring;
    // Only our own template of that name is ever replaced.
    const replacing = await requireOwnTemplate(client, project.id, plan.name);
    const retired = replacing ? (retirement?.name ?? workName(project.id)) : undefined;
    // The final label only ever sits on the final name: it is written in the publishing
    // transaction; until then the scratch database is labelled `build`, which nothing takes
    // for a template or drops while its builder lives.
    await publishTemplate(client, scratch, plan.name, metadata, retired);
    if (retirement !== undefined && retired !== undefined) {
      handedOff = true;
      await dropRetired(retirement, client, plan.major);
    }
    return metadata;
  } catch (error) {
    await dropDatabase(client, scratch).catch(() => undefined);
    if (signal?.aborted === true) throw interruptedError();
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
    const open = handedOff ? undefined : (retirement ?? (await retiring));
    if (open !== undefined) await closeRetirement(open);
    await unlockWork(client, scratch);
  }
}

/**
 * Create the scratch database under a work name held by this session's lock
 * (catalog/work.ts): whatever kills this process, gc sees the lock free and removes it;
 * while it lives, nothing does. Leftovers of this project's killed builds and clones go
 * first: the next command repairs.
 */
async function startScratch(
  project: Project,
  client: pg.Client,
  scratch: string,
  name: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await abandonedWork(client, project.id);
  throwIfAborted(signal);
  await lockWork(client, scratch);
  await client.query(`CREATE DATABASE ${databaseIdent(scratch)}`);
  await writeMetadata(client, scratch, {
    ...buildLabel(name, project.id),
    lock: workLock(scratch),
  });
  throwIfAborted(signal);
}

/**
 * Run the repository's files in the scratch database, then gather planner statistics for
 * the tables they made. The session that analyzes connects while the files run.
 */
async function loadScratch(
  project: Project,
  params: ConnectionParams,
  env: EnvironmentConfig,
  scratch: string,
): Promise<void> {
  const analyzer = connect(params, { database: scratch });
  // A failed load must not leave the other connection's failure unhandled.
  analyzer.catch(() => undefined);
  try {
    await applyRepository(project, { database: scratch, env: env.name });
    await analyzeUserTables(await analyzer);
  } finally {
    await analyzer.then(
      (c) => c.end().catch(() => undefined),
      () => undefined,
    );
  }
}

/** Close the scratch database to connections and write down what it is (its final label). */
async function describe(
  client: pg.Client,
  project: Project,
  plan: BuildPlan,
  scratch: string,
  started: number,
): Promise<TemplateMetadata> {
  const { rows } = await client.query<{ size: string; version: string }>(
    "SELECT pg_database_size($1) AS size, current_setting('server_version') AS version",
    [scratch],
  );
  // No one may connect to a template: a connected session would make cloning fail (55006).
  await client.query(
    `ALTER DATABASE ${databaseIdent(scratch)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
  );
  const { fingerprint } = plan;
  return {
    dbfast: 'template',
    project: project.id,
    complete: true,
    version: VERSION,
    fingerprint: fingerprint.hash,
    formatVersion: fingerprint.formatVersion,
    env: plan.env.name,
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
}

/**
 * Drop the scratch databases of builds this process is running (watch mode's Ctrl-C): the
 * build's session is terminated with them, so the build fails and leaves nothing behind.
 * Templates this process retired are left to their own drop.
 */
export async function abandonOwnBuilds(project: Project): Promise<string[]> {
  return project.withClient(async (client) => {
    const entries = await listOwned(client, project.id);
    const mine = entries.filter(
      (e) =>
        e.metadata?.dbfast === 'build' &&
        e.metadata.retired !== true &&
        e.metadata.pid === process.pid &&
        e.metadata.host === hostname(),
    );
    for (const entry of mine) await dropDatabase(client, entry.name);
    return mine.map((e) => e.name);
  });
}

/**
 * Whether `name` exists; refuse to publish over it unless it is this project's template (the
 * one a forced or expired rebuild replaces; we hold the template's build lock). Anything
 * else of that name is left alone.
 */
async function requireOwnTemplate(
  client: pg.Client,
  project: string,
  name: string,
): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if ((rowCount ?? 0) === 0) return false;
  const metadata = await readMetadata(client, name);
  if (metadata?.dbfast === 'template' && metadata.project === project) return true;
  throw new DbfastError(
    'template.name_taken',
    `Cannot build: the name "${name}" is taken by ${describeLabel(metadata, project)}.`,
    { hint: 'dbfast leaves it alone. Rename or drop it yourself, then build again.' },
  );
}
