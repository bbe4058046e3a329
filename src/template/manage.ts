import { usageError } from '../errors.js';
import type { Project } from '../project.js';
import { dropDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { currentTemplate, isExpired } from './ensure.js';
import { computeFingerprint, type Explanation, explain, explanationLines } from './fingerprint.js';
import { listDbfastDatabases, type TemplateMetadata } from './metadata.js';
import { templateDatabaseName } from './names.js';

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
  sizeBytes: number | undefined;
  buildMs: number;
  current: boolean;
  kind: string;
}

/** Every dbfast template on the server (of this project's template_name), current or stale. */
export async function listTemplates(project: Project): Promise<TemplateEntry[]> {
  const prefix = `${project.config.database.templateName}_`;
  return project.withClient(async (client) => {
    const entries = await listDbfastDatabases(client, { prefix, sizes: true });
    const major = Math.floor(
      Number(
        (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v"))
          .rows[0]?.v,
      ) / 10000,
    );
    const currentNames = new Set<string>();
    for (const env of Object.values(project.config.environments)) {
      const fingerprint = await computeFingerprint(project.config, env, major).catch(
        () => undefined,
      );
      if (fingerprint !== undefined)
        currentNames.add(
          templateDatabaseName(project.config.database.templateName, env.name, fingerprint.hash),
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
          sizeBytes: entry.sizeBytes,
          buildMs: metadata.buildMs,
          current: currentNames.has(entry.name) && !expired,
          kind: metadata.kind ?? 'repository',
        };
      });
  });
}

/**
 * Drop templates by name, or every stale one. Refuses a name that is not a dbfast template
 * (it never drops a database dbfast did not create). Clones made from them are unaffected.
 */
export async function dropTemplates(
  project: Project,
  options: { names?: string[]; stale?: boolean },
): Promise<string[]> {
  const templates = await listTemplates(project);
  let targets: string[];
  if (options.stale === true) {
    targets = templates.filter((t) => !t.current && t.kind !== 'backup').map((t) => t.name);
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
  await project.withClient(async (client) => {
    for (const name of targets) await dropDatabase(client, name);
  });
  return targets;
}
