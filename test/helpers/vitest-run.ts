import { symlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { TempProject } from './project.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Run vitest (the real one, built dbfast) in a temp project: `files` are test files under
 * tests/, `options` the extra `test` options of its config (none: vitest's defaults). The
 * fixture files append their findings to `out` (DBFAST_FIXTURE_OUT).
 */
export async function runFixtureVitest(
  temp: TempProject,
  files: Record<string, string>,
  out: string,
  options = '',
): Promise<{ exitCode: number | undefined; output: string }> {
  await symlink(`${ROOT}node_modules`, `${temp.dir}/node_modules`);
  await temp.write(
    'setup.mjs',
    `import { dbfastGlobalSetup } from '${ROOT}dist/vitest/setup.js';\nexport default dbfastGlobalSetup({ configPath: '${temp.dir}/dbfast.toml' });\n`,
  );
  await temp.write(
    'vitest.config.mjs',
    `export default { test: { include: ['tests/*.test.mjs'], globalSetup: ['./setup.mjs'], pool: 'forks'${options} } };\n`,
  );
  for (const [name, text] of Object.entries(files)) await temp.write(`tests/${name}`, text);
  const run = await execa(
    'node',
    [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', '--config', 'vitest.config.mjs'],
    { cwd: temp.dir, env: { DBFAST_FIXTURE_OUT: out, NO_COLOR: '1' }, reject: false },
  );
  return { exitCode: run.exitCode, output: `${run.stdout}${run.stderr}` };
}
