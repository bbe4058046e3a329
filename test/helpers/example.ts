import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example repository's files (sql/…), to copy into a temporary project. */
export function exampleFiles(): Record<string, string> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(join(root, 'sql'));
  return files;
}

export const EXAMPLE_ENVIRONMENTS = `
[environments.local]
include_directories = ["0_schema", "1_seed_common", "2_seed_dev"]

[environments.test]
include_directories = ["0_schema", "1_seed_common"]
`;
