import type { TemplateMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { templateDatabaseName } from '../catalog/names.js';
import { idleMs } from '../catalog/usage.js';
import { formatDuration } from '../duration.js';
import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { dropDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { serverMajor } from '../server/info.js';
import { currentTemplate, isExpired } from './ensure.js';
import { computeFingerprint, type Explanation, explain, explanationLines } from './fingerprint.js';

/** Whether an environment's template is current and, if not, why (see `templateStatus`). */
export interface TemplateStatus {
  env: string;
  /** The name the current template has (whether or not it exists). */
  name: string;
  current: boolean;
  /** The newest existing template of this environment, if any. */
  latest: { name: string; createdAt: string } | undefined;
  /** Why the latest template is not current (empty when current). */
  reasons: string[];
  explanation: Explanation | undefined;
}

/** Is the environment's template current, and if not, exactly why. Builds nothing. */
export async function templateStatus(
  project: Project,
  options: { env?: string } = {},
): Promise<TemplateStatus> {
  const env = project.environment(options.env);
  return project.withClient(async (client) => {
    const { templates, fingerprint, name } = await currentTemplate(project, client, env);
    const exact = templates.find((t) => t.name === name);
    const latest = exact ?? templates[0];
    const base = {
      env: env.name,
      name,
      latest:
        latest === undefined
          ? undefined
          : { name: latest.name, createdAt: latest.metadata.createdAt },
    };
    if (exact !== undefined && !isExpired(exact.metadata, env))
      return { ...base, current: true, reasons: [], explanation: undefined };
    if (exact !== undefined)
      return {
        ...base,
        current: false,
        reasons: [`its ttl passed (built ${exact.metadata.createdAt})`],
        explanation: undefined,
      };
    const explanation = explain(latest?.metadata, fingerprint);
    return { ...base, current: false, reasons: explanationLines(explanation), explanation };
  });
}

export interface TemplateEntry {
  name: string;
  env: string;
  createdAt: string;
  ageMs: number;
  /** Since it was built or last cloned (another checkout may still use it). */
  idleMs: number;
  lastUsedAt: string | undefined;
  sizeBytes: number | undefined;
  buildMs: number;
  /** Current for this checkout's files and config. */
  current: boolean;
  kind: string;
}

/**
 * Every template of this project (by label), current or not. A template that is not current
 * here may be current in another checkout of the project: see `retentionPlan`.
 */
export async function listTemplates(
  project: Project,
  options: { sizes?: boolean } = {},
): Promise<TemplateEntry[]> {
  return project.withClient(async (client) => {
    const entries = await listOwned(client, project.id, { sizes: options.sizes !== false });
    const major = await serverMajor(client);
    const currentNames = new Set<string>();
    for (const env of Object.values(project.config.environments)) {
      const fingerprint = await computeFingerprint(project.config, env, major).catch(
        () => undefined,
      );
      if (fingerprint !== undefined)
        currentNames.add(
          templateDatabaseName(
            project.config.database.templateName,
            project.id,
            env.name,
            fingerprint.hash,
          ),
        );
    }
    const now = Date.now();
    return entries
      .filter((entry) => entry.metadata?.dbfast === 'template')
      .map((entry) => {
        const metadata = entry.metadata as TemplateMetadata;
        const env = project.config.environments[metadata.env];
        const expired = env !== undefined && isExpired(metadata, env, now);
        return {
          name: entry.name,
          env: metadata.env,
          createdAt: metadata.createdAt,
          ageMs: now - Date.parse(metadata.createdAt),
          idleMs: idleMs(metadata, now),
          lastUsedAt: metadata.lastUsedAt,
          sizeBytes: entry.sizeBytes,
          buildMs: metadata.buildMs,
          current: currentNames.has(entry.name) && !expired,
          kind: metadata.kind ?? 'repository',
        };
      });
  });
}

export interface RetentionOptions {
  /** Non-current templates kept per environment, newest first (default `[templates] keep`). */
  keep?: number | undefined;
  /** Only templates unused this long go (default `[templates] unused_for`). */
  unusedForMs?: number | undefined;
}

/** A template retention would drop, and why. */
export interface DoomedTemplate {
  name: string;
  env: string;
  reason: string;
}

/**
 * Which templates retention drops: those not current here, not made from a backup, beyond
 * the newest `keep` of their environment AND unused for `unusedForMs`. Being not current here
 * is never enough on its own: another checkout of the project may be using it.
 */
export function retentionPlan(
  project: Project,
  templates: TemplateEntry[],
  options: RetentionOptions = {},
): DoomedTemplate[] {
  const keep = options.keep ?? project.config.templates.keep;
  const unusedFor = options.unusedForMs ?? project.config.templates.unusedForMs;
  const byEnv = new Map<string, TemplateEntry[]>();
  for (const template of templates) {
    if (template.current || template.kind === 'backup') continue;
    byEnv.set(template.env, [...(byEnv.get(template.env) ?? []), template]);
  }
  const doomed: DoomedTemplate[] = [];
  for (const list of byEnv.values()) {
    list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    for (const template of list.slice(keep)) {
      if (template.idleMs < unusedFor) continue;
      doomed.push({
        name: template.name,
        env: template.env,
        reason: `not current here, beyond the newest ${keep} of environment "${template.env}", unused for ${formatDuration(template.idleMs)}`,
      });
    }
  }
  return doomed;
}

/**
 * Drop templates of this project by name, or the ones retention lets go (`stale`). Refuses a
 * name that is not a template of this project: it never drops a database it did not make.
 * Clones made from them are unaffected. `dryRun` drops nothing and says what would go.
 */
export async function dropTemplates(
  project: Project,
  options: { names?: string[]; stale?: boolean; dryRun?: boolean } & RetentionOptions,
): Promise<string[]> {
  const templates = await listTemplates(project, { sizes: false });
  let targets: string[];
  if (options.stale === true) {
    targets = retentionPlan(project, templates, options).map((t) => t.name);
  } else {
    targets = (options.names ?? []).map((name) => validateDatabaseName(name));
    const known = new Set(templates.map((t) => t.name));
    const unknown = targets.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw usageError(
        'template.not_found',
        `Not a dbfast template of this project: ${unknown.join(', ')}.`,
        'See `dbfast template list`.',
      );
    }
  }
  if (options.dryRun === true) return targets;
  await project.withClient(async (client) => {
    for (const name of targets) await dropDatabase(client, name);
  });
  return targets;
}
