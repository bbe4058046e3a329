import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from './config/load.js';
import { usageError } from './errors.js';
import { type DetectedLayout, detectLayout } from './presets/detect.js';
import { presetFor } from './presets/registry.js';

export interface InitResult {
  dir: string;
  written: string[];
  /** The migration tool's folder found in `dir`, when the config was written for it. */
  detected?: DetectedLayout & { tool: string };
}

const STARTER_CONFIG = `# dbfast configuration. Reference: the README's "Configuration" section.

[database]
# Omit url (and DATABASE_URL) to use the embedded server in .dbfast/server/.
# url = "\${DATABASE_URL}"
template_name = "app"

[repository]
path = "./sql"

[environments.local]
include_directories = ["0_schema", "1_seed_common", "2_seed_dev"]

[environments.test]
include_directories = ["0_schema", "1_seed_common"]
`;

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

/** dbfast.toml for a project whose migrations a preset runs. */
function presetConfig(found: DetectedLayout, tool: string): string {
  const path =
    presetFor(found.type)?.defaultPath === found.path ? '' : `path = "./${found.path}"\n`;
  return `# dbfast configuration. Reference: the README's "Configuration" and "Presets" sections.
# Found ${found.evidence}: dbfast runs that folder as ${tool} would and records every
# migration in ${tool}'s own table, so ${tool} finds nothing to do on a clone.

[database]
# Omit url (and DATABASE_URL) to use the embedded server in .dbfast/server/.
# url = "\${DATABASE_URL}"
template_name = "app"

[repository]
type = "${found.type}"
${path}
# Seed data on top of the migrations: folders relative to this file, run after them.
# [environments.local]
# include_directories = ["seed"]
`;
}

/**
 * Write a starter dbfast.toml into `dir`: for the migration tool whose folder it finds there
 * (see detectLayout), or else with a plain sql/ skeleton. `plain` skips the detection.
 * Refuses (exit code 2) to overwrite any existing file unless `force` is set; writes nothing
 * when it refuses.
 */
export async function initProject(
  dir: string,
  options: { force?: boolean; plain?: boolean } = {},
): Promise<InitResult> {
  const found = options.plain === true ? undefined : await detectLayout(dir);
  const tool = found === undefined ? undefined : (presetFor(found.type)?.tool ?? found.type);
  const files: Record<string, string> =
    found === undefined || tool === undefined
      ? { [CONFIG_FILE_NAME]: STARTER_CONFIG, ...STARTER_FILES }
      : { [CONFIG_FILE_NAME]: presetConfig(found, tool) };
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
    ...(found === undefined || tool === undefined ? {} : { detected: { ...found, tool } }),
  };
}
