import { nameRoomProblem } from './name-room.js';
import type { SectionValues } from './schema.js';
import type { ResolvedConfig, ServerTarget } from './types.js';

/*
 * The small sections of dbfast.toml, each resolved from its checked values (schema.ts) to its
 * ResolvedConfig section: defaults filled in, paths made absolute with `rootPath`.
 */

type RootPath = (path: string) => string;

/** 1 day: how long a non-current template must be unused before gc may drop it. */
const DEFAULT_UNUSED_FOR_MS = 86_400_000;

/**
 * `[database]` without the connection (server-target.ts). Every environment's derived names
 * must fit PostgreSQL's limit with `template_name` in front (name-room.ts).
 */
export function resolveDatabase(
  fields: SectionValues<'database'>,
  target: ServerTarget,
  environmentNames: string[],
  problems: string[],
): ResolvedConfig['database'] {
  const templateName = fields.template_name ?? 'dbfast';
  for (const name of environmentNames) {
    const problem = nameRoomProblem(templateName, name);
    if (problem !== undefined) problems.push(`database.template_name: ${problem}`);
  }
  return { target, templateName, cloneStrategy: fields.clone_strategy ?? 'auto' };
}

/** `[project] name`, default the template_name: printable and at most 100 characters. */
export function resolveProject(
  fields: SectionValues<'project'>,
  templateName: string,
  problems: string[],
): ResolvedConfig['project'] {
  const name = fields.name ?? templateName;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (name.length === 0 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    problems.push(
      `project.name: expected 1 to 100 printable characters, got ${JSON.stringify(name)}`,
    );
  }
  return { name };
}

export function resolveBackups(
  fields: SectionValues<'backups'>,
  rootPath: RootPath,
): ResolvedConfig['backups'] {
  return {
    dir: rootPath(fields.dir ?? '.dbfast/backups'),
    keepLast: fields.keep_last,
    maxAgeMs: fields.max_age,
    format: fields.format ?? 'custom',
    compress: fields.compress,
    jobs: fields.jobs ?? 1,
  };
}

export function resolveServer(
  fields: SectionValues<'server'>,
  rootPath: RootPath,
): ResolvedConfig['server'] {
  return {
    binDir: fields.bin_dir === undefined ? undefined : rootPath(fields.bin_dir),
    osUser: fields.os_user ?? 'postgres',
  };
}

export function resolveTemplates(fields: SectionValues<'templates'>): ResolvedConfig['templates'] {
  return {
    keep: fields.keep ?? 1,
    unusedForMs: fields.unused_for ?? DEFAULT_UNUSED_FOR_MS,
  };
}

export function resolvePool(fields: SectionValues<'pool'>): ResolvedConfig['pool'] {
  return { size: fields.size ?? 0, min: fields.min, max: fields.max };
}
