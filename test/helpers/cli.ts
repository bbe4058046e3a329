import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const BIN = fileURLToPath(new URL('../../bin/dbfast.js', import.meta.url));

/** The CLI's JSON output: tests assert its shape with expect(), so it is typed loosely on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON whose shape each test asserts
export type Json = any;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the BUILT CLI (bin/dbfast.js -> dist/) as a user would, with no inherited DATABASE_URL
 * or PG* variables unless given. `npm test` builds first.
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PG|DATABASE_URL|DBFAST_)/.test(key)) env[key] = value;
  }
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...env, NO_COLOR: '1', ...options.env },
    extendEnv: false,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/** Run the CLI with --json and parse stdout. */
export async function runCliJson<T = Json>(
  args: string[],
  options: Parameters<typeof runCli>[1] = {},
): Promise<CliResult & { json: T }> {
  const result = await runCli([...args, '--json'], options);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, json };
}
