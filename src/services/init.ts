import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { MAX_BASE_BYTES } from '../catalog/names.js';
import { CONFIG_FILE_NAME } from '../config/load.js';
import { usageError } from '../errors.js';
import { type DetectedLayout, detectLayout } from '../presets/detect.js';
import { presetFor } from '../presets/registry.js';

export interface InitResult {
  dir: string;
  written: string[];
  /** The migration tool's folder found in `dir`, when the config was written for it. */
  detected?: DetectedLayout & { tool: string };
}

/** `.dbfast/` holds the embedded server's data and backups (dumps of remotes): never commit it. */
const DBFAST_GITIGNORE = '.dbfast/.gitignore';

const STARTER_FILES: Record<string, string> = {
  'sql/0_schema/001_tables.sql': `CREATE TABLE account (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  'sql/1_seed_common/001_accounts.sql': `INSERT INTO account (email) VALUES ('admin@example.com');
`,
  'sql/2_seed_dev/001_demo.sql': `INSERT INTO account (email) VALUES ('demo@example.com');
`,
};

/**
 * The starter dbfast.toml: project and template named `name`; a plain `sql/` repository
 * with two environments, or, for a migration tool's folder that `found` names, that preset.
 */
function starterConfig(name: string, preset?: { found: DetectedLayout; tool: string }): string {
  const header =
    preset === undefined
      ? `# dbfast configuration. Reference: the README's "Configuration" section.\n`
      : `# dbfast configuration. Reference: the README's "Configuration" and "Presets" sections.
# Found ${preset.found.evidence}: dbfast runs that folder as ${preset.tool} would and records every
# migration in ${preset.tool}'s own table, so ${preset.tool} finds nothing to do on a clone.
`;
  const common = `${header}
[project]
# Every database dbfast makes is labelled with this name; dbfast manages only its own.
name = "${name}"

[database]
# Omit url (and DATABASE_URL) to use the embedded server in .dbfast/server/.
# url = "\${DATABASE_URL}"
template_name = "${name}"

[repository]
`;
  if (preset === undefined) {
    return `${common}path = "./sql"

[environments.local]
include_directories = ["0_schema", "1_seed_common", "2_seed_dev"]

[environments.test]
include_directories = ["0_schema", "1_seed_common"]
`;
  }
  const { found } = preset;
  const path =
    presetFor(found.type)?.defaultPath === found.path ? '' : `path = "./${found.path}"\n`;
  return `${common}type = "${found.type}"
${path}
# Seed data on top of the migrations: folders relative to this file, run after them.
# [environments.local]
# include_directories = ["seed"]
`;
}

/**
 * A template_name from a folder name: lower case, `[a-z0-9_]` only, short enough to leave
 * room for environment names (the starter's longest is `local`), `app` when nothing is left.
 */
export function nameFromFolder(dir: string): string {
  const cleaned = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_BASE_BYTES - 'local'.length - 1 - 8);
  return cleaned === '' ? 'app' : cleaned;
}

/**
 * Write a starter dbfast.toml (project and template named after the folder), the sql/
 * skeleton and `.dbfast/.gitignore` (so the embedded server's data and backups never reach
 * git) into `dir`. Refuses (exit code 2) to overwrite any existing file unless `force` is
 * set; writes nothing when it refuses. An existing `.dbfast/.gitignore` is left as it is.
 * A migration tool's folder found there (see detectLayout) gets a preset config instead of
 * the sql/ skeleton, unless `plain`.
 */
export async function initProject(
  dir: string,
  options: { force?: boolean; plain?: boolean } = {},
): Promise<InitResult> {
  const found = options.plain === true ? undefined : await detectLayout(dir);
  const tool = found === undefined ? undefined : (presetFor(found.type)?.tool ?? found.type);
  const name = nameFromFolder(dir);
  const preset = found === undefined || tool === undefined ? undefined : { found, tool };
  const files: Record<string, string> =
    preset === undefined
      ? { [CONFIG_FILE_NAME]: starterConfig(name), ...STARTER_FILES }
      : { [CONFIG_FILE_NAME]: starterConfig(name, preset) };
  if (!existsSync(join(dir, DBFAST_GITIGNORE))) files[DBFAST_GITIGNORE] = '*\n';
  const existing = Object.keys(files).filter((path) => existsSync(join(dir, path)));
  if (existing.length > 0 && options.force !== true) {
    throw usageError(
      'init.exists',
      `Refusing to overwrite existing files in ${dir}: ${existing.join(', ')}.`,
      'Pass --force to overwrite them.',
    );
  }
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, text);
  }
  return {
    dir,
    written: Object.keys(files),
    ...(preset === undefined ? {} : { detected: { ...preset.found, tool: preset.tool } }),
  };
}
