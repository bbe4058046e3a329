import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { childEnv, DBFAST_BIN } from './tools.js';

/**
 * Bench projects: a dbfast.toml in a folder of the run's temporary directory, pointing at a
 * repository anywhere (absolute path). No [database] url in it: the library gets the bench
 * server as `databaseUrl`, the CLI as DATABASE_URL, so a password never lands in a file.
 */
export async function writeProject(dir, options) {
  const {
    templateName,
    repository,
    strategy = 'auto',
    poolSize = 0,
    settings = {},
    runner,
  } = options;
  await mkdir(dir, { recursive: true });
  const lines = [
    '[database]',
    `template_name = ${JSON.stringify(templateName)}`,
    `clone_strategy = ${JSON.stringify(strategy)}`,
    '',
    '[repository]',
    `path = ${JSON.stringify(repository)}`,
  ];
  if (runner !== undefined) lines.push(`runner = ${JSON.stringify(runner)}`);
  const pairs = Object.entries(settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  if (pairs.length > 0) lines.push(`settings = { ${pairs.join(', ')} }`);
  lines.push('', '[pool]', `size = ${poolSize}`, '');
  const configPath = join(dir, 'dbfast.toml');
  await writeFile(configPath, lines.join('\n'));
  return configPath;
}

/** Open the library's long-lived handle on a bench project (the test-setup way). */
export function openHandle(ctx, configPath) {
  return ctx.lib.createDbfast({ configPath, databaseUrl: ctx.server.url, env: {} });
}

/** Open a plain Project (for functions that take one, like applyRepository). */
export function openBenchProject(ctx, configPath) {
  return ctx.lib.openProject({ configPath, databaseUrl: ctx.server.url, env: {} });
}

/** Run the built CLI as a user does: `node bin/dbfast.js -c CONFIG …`. */
export function runCli(ctx, configPath, args) {
  return execa(process.execPath, [DBFAST_BIN, '-c', configPath, ...args], {
    env: childEnv(ctx.server),
    extendEnv: false,
    stdin: 'ignore',
  });
}

/** Whether the built CLI has a command (commander exits 0 on `<command> --help`). */
export async function cliHas(ctx, command) {
  const result = await execa(process.execPath, [DBFAST_BIN, ...command, '--help'], {
    env: childEnv(ctx.server),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
  });
  return result.exitCode === 0 && result.stdout.includes(command.at(-1));
}
