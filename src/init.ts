import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from './config/load.js';
import { usageError } from './errors.js';

export interface InitResult {
  dir: string;
  written: string[];
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

/**
 * Write a starter dbfast.toml and sql/ skeleton into `dir`. Refuses (exit code 2) to
 * overwrite any existing file unless `force` is set; writes nothing when it refuses.
 */
export async function initProject(
  dir: string,
  options: { force?: boolean } = {},
): Promise<InitResult> {
  const files: Record<string, string> = { [CONFIG_FILE_NAME]: STARTER_CONFIG, ...STARTER_FILES };
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
  return { dir, written: Object.keys(files) };
}
