import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { type CloneMetadata, parseMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { poolMemberName } from '../catalog/names.js';
import { publishAs } from '../catalog/work.js';
import type { EnvironmentConfig } from '../config/types.js';
import { connectionUrl } from '../config/url.js';
import type { Project } from '../project.js';
import { withAdvisoryLock, withAdvisoryLockIfFree } from '../server/connection.js';
import { dropDatabase, isMissingDatabase, isObjectInUse } from '../server/databases.js';
import { ensureTemplate, type TemplateResult } from '../template/ensure.js';
import { templateStatus } from '../template/manage.js';
import { createClone } from './create-database.js';
import { poolTarget } from './pool-target.js';

/**
 * A pool of ready clones per template, with no daemon: members are ordinary databases named
 * `<template>_p<random>` and labelled `pool` with their template and project, so a member
 * always belongs to exactly one template of one project and a stale template's members can
 * never be handed out. Membership is decided by the label, never by the name. Claiming is an atomic
 * `ALTER DATABASE member RENAME TO name`: of any number of processes racing for a member,
 * exactly one wins; the others move on to the next member.
 */

/** Claim a ready member of `template` as `name`. Returns undefined when none is ready. */
export async function claimPoolMember(
  client: pg.Client,
  template: string,
  name: string,
  label: Omit<CloneMetadata, 'dbfast' | 'template' | 'createdAt'> & { project: string },
): Promise<string | undefined> {
  const { rows } = await client.query<{ datname: string; comment: string | null }>(
    // Only labelled members: one whose label is not written yet is still being made.
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database
      WHERE NOT datistemplate
        AND starts_with(shobj_description(oid, 'pg_database'), '{"dbfast":"pool"')
        AND strpos(shobj_description(oid, 'pg_database'), $1) > 0
      ORDER BY random()`,
    // A cheap pre-filter on the server; the parsed label decides.
    [`"project":${JSON.stringify(label.project)}`],
  );
  const members = rows.filter((row) =>
    isMemberOf(parseMetadata(row.comment), label.project, template),
  );
  for (const { datname } of members) {
    const metadata: CloneMetadata = {
      dbfast: 'clone',
      template,
      createdAt: new Date().toISOString(),
      ...label,
    };
    try {
      // Renamed and relabelled at once: a claim interrupted midway never leaves a user's
      // name carrying a pool label (gc would take it for a member).
      await publishAs(client, datname, name, metadata);
    } catch (error) {
      // Claimed by another process a moment ago, or being dropped: try the next one.
      if (isMissingDatabase(error) || isObjectInUse(error)) continue;
      throw error;
    }
    return datname;
  }
  return undefined;
}

export interface PoolFillResult {
  env: string;
  template: string;
  /** `[pool] size` (or the environment's pool_size): where the pool starts. */
  size: number;
  /** What this fill aimed for: size, grown by recent misses within [pool] min..max. */
  target: number;
  created: string[];
  /** Members above the target dropped (the pool shrinking after demand fell). */
  dropped: string[];
  ready: number;
  /** Another process was filling this pool (only with `ifIdle`): nothing was done here. */
  busy: boolean;
}

/**
 * Top the pool of an environment up to its target (see pool-target.ts: its size, grown by
 * claims that found it empty, never above `[pool] max`), and drop members above the target
 * once demand has fallen (builds the template if needed). One filler per template at a
 * time, server-wide: with `ifIdle` a second one returns at once (`busy`), otherwise it
 * waits for the first and then tops up whatever is still missing. Never makes more than
 * twice `[pool] max` in one call, however fast members are claimed meanwhile.
 */
export async function fillPool(
  project: Project,
  options: { env?: string; ifIdle?: boolean } = {},
): Promise<PoolFillResult> {
  const env = project.environment(options.env);
  const template = await ensureTemplate(project, { env: env.name });
  const params = await project.connection();
  const key = `pool:${template.name}`;
  // Read again before every member: claims that miss meanwhile raise it.
  const target = (): Promise<number> =>
    poolTarget(connectionUrl(params, template.name), template.name, env);
  const fill = (): Promise<PoolFillResult> =>
    project.withClient((client) => topUp(project, client, env, template, target));
  if (options.ifIdle !== true) return withAdvisoryLock(params, key, fill);
  const outcome = await withAdvisoryLockIfFree(params, key, fill);
  if (outcome.acquired) return outcome.value;
  return {
    env: env.name,
    template: template.name,
    size: env.poolSize,
    target: env.poolSize,
    created: [],
    dropped: [],
    ready: 0,
    busy: true,
  };
}

async function topUp(
  project: Project,
  client: pg.Client,
  env: EnvironmentConfig,
  template: TemplateResult,
  targetNow: () => Promise<number>,
): Promise<PoolFillResult> {
  let target = await targetNow();
  const created: string[] = [];
  const members = async (): Promise<string[]> =>
    (await listOwned(client, project.id))
      .filter((entry) => isMemberOf(entry.metadata, project.id, template.name))
      .map((entry) => entry.name);
  // Demand fell: drop what is above the target (a member claimed meanwhile is gone already:
  // DROP … IF EXISTS, and a claim of a dropped member moves on to the next one).
  // (Not with no pool configured: filling an unconfigured pool by hand drops nothing.)
  const dropped = env.poolSize === 0 ? [] : (await members()).slice(target);
  for (const name of dropped) await dropDatabase(client, name);
  let ready = 0;
  // Count again before every member: clones claim members while the pool fills, and the
  // filler is the only one running (clones that see it running start no other), so it must
  // leave the pool full, not merely add what was missing when it started. Bounded, so that
  // a steady stream of claims cannot keep it busy forever (twice what the target may reach).
  const limit = 2 * Math.max(target, env.poolMax);
  for (let made = 0; made <= limit; made += 1) {
    ready = (await members()).length;
    target = await targetNow();
    if (ready >= target || made === limit) break;
    const name = poolMemberName(template.name, randomBytes(4).toString('hex'));
    await createClone(client, {
      name,
      project: project.id,
      template: template.name,
      env: env.name,
      serverMajor: template.serverMajor,
      templateBytes: template.sizeBytes,
      strategy: project.config.database.cloneStrategy,
      label: 'pool',
    });
    created.push(name);
    project.reporter.progress?.({
      task: 'pool fill',
      done: created.length,
      total: created.length + target - ready - 1,
      label: name,
    });
  }
  return {
    env: env.name,
    template: template.name,
    size: env.poolSize,
    target,
    created,
    dropped,
    ready,
    busy: false,
  };
}

export interface PoolMember {
  name: string;
  template: string;
  env: string;
  createdAt: string;
}

/** Every pool member of this project's templates (by label), current or stale. */
export async function poolMembers(project: Project): Promise<PoolMember[]> {
  return project.withClient(async (client) => {
    const entries = await listOwned(client, project.id);
    return entries.flatMap((entry) =>
      entry.metadata.dbfast === 'pool'
        ? [
            {
              name: entry.name,
              template: entry.metadata.template,
              env: entry.metadata.env,
              createdAt: entry.metadata.createdAt,
            },
          ]
        : [],
    );
  });
}

/** Drop pool members (all, or one environment's). */
export async function drainPool(
  project: Project,
  options: { env?: string } = {},
): Promise<string[]> {
  const members = (await poolMembers(project)).filter(
    (m) => options.env === undefined || m.env === options.env,
  );
  await project.withClient(async (client) => {
    for (const member of members) await dropDatabase(client, member.name);
  });
  return members.map((m) => m.name);
}

export interface PoolStatus {
  env: string;
  size: number;
  /** [pool] min / max: the bounds of the target. */
  min: number;
  max: number;
  /** The size the pool is kept at now: size, grown by recent misses (see fillPool). */
  target: number;
  /** The current template, or undefined when it is not built (or stale). */
  template: string | undefined;
  ready: number;
  /** Members of stale templates (never handed out; `dbfast gc` drops them). */
  stale: number;
}

/** Per environment: the pool size, ready members of the current template, stale members. */
export async function poolStatus(project: Project): Promise<PoolStatus[]> {
  const members = await poolMembers(project);
  const params = await project.connection();
  const result: PoolStatus[] = [];
  for (const env of Object.values(project.config.environments)) {
    const status = await templateStatus(project, { env: env.name });
    const template = status.current ? status.name : undefined;
    const mine = members.filter((m) => m.env === env.name);
    const ready = mine.filter((m) => m.template === template).length;
    const target =
      status.current && env.poolSize > 0
        ? await poolTarget(connectionUrl(params, status.name), status.name, env)
        : env.poolSize;
    result.push({
      env: env.name,
      size: env.poolSize,
      min: env.poolMin,
      max: env.poolMax,
      target,
      template,
      ready,
      stale: mine.length - ready,
    });
  }
  return result;
}

/** Whether a label makes a database a pool member of `template` in `project`. */
function isMemberOf(
  metadata: ReturnType<typeof parseMetadata>,
  project: string,
  template: string,
): boolean {
  return (
    metadata?.dbfast === 'pool' && metadata.project === project && metadata.template === template
  );
}
