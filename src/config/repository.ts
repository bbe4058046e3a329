import { canonicalEncoding } from './encodings.js';
import { defaultRepositoryPath, PLAIN_ALIASES } from './repository-types.js';
import { DEFAULT_EXTENSIONS, type SectionValues } from './schema.js';
import type { ResolvedConfig } from './types.js';

/**
 * `[repository]`, resolved: relative paths against the config file's folder, extensions
 * lower-cased, the encoding by its canonical PostgreSQL name. Problems are added to
 * `problems` (all of them, with the others of the file).
 */
export function resolveRepository(
  fields: SectionValues<'repository'>,
  rootPath: (path: string) => string,
  problems: string[],
): ResolvedConfig['repository'] {
  const extensions = fields.extensions ?? DEFAULT_EXTENSIONS;
  for (const ext of extensions) {
    if (!/^\.[^/\\]+$/.test(ext))
      problems.push(`repository.extensions: "${ext}" must start with a dot, as in ".sql"`);
  }
  if (extensions.length === 0) problems.push('repository.extensions: list at least one ending');
  const encoding = fields.encoding ?? 'UTF8';
  const canonical = canonicalEncoding(encoding);
  if (canonical === undefined || canonical.unsafe === true) {
    problems.push(
      `repository.encoding: "${encoding}" is not an encoding dbfast can read (UTF8, LATIN1, WIN1252, …)`,
    );
  }
  const settings = fields.settings ?? {};
  if (Object.keys(settings).some((name) => name.toLowerCase() === 'client_encoding')) {
    problems.push(
      'repository.settings.client_encoding: dbfast always talks UTF-8 to the server; set [repository] encoding to the encoding your files are written in',
    );
  }
  // "sql" and "structured" are the original DBFast spellings of a plain repository.
  const written = fields.type ?? 'plain';
  const type = PLAIN_ALIASES.includes(written) ? 'plain' : written;
  return {
    path: rootPath(fields.path ?? defaultRepositoryPath(type)),
    type,
    runner: fields.runner ?? 'pg',
    // `!glob` takes files back out: the `!` stays in front of the resolved path.
    extraInputs: (fields.extra_inputs ?? []).map((glob) =>
      glob.startsWith('!') ? `!${rootPath(glob.slice(1))}` : rootPath(glob),
    ),
    settings,
    variables: fields.variables ?? {},
    extensions: extensions.map((ext) => ext.toLowerCase()),
    encoding: canonical?.name ?? 'UTF8',
  };
}
