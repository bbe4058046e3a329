import { interrupted, type ToolCommand, toolEnv, toolFailure } from '../backup/exec.js';
import { boundToParent, loadExeca } from '../server/execa.js';

/**
 * `pg_dump -Fc … | pg_restore …` with no file in between: execa pipes one child's stdout
 * into the other's stdin. Each child gets its own environment (its own PGPASSWORD), so the
 * two servers' passwords never meet and neither is ever on a command line.
 */
export async function streamDump(
  dump: ToolCommand,
  restore: ToolCommand,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const execa = await loadExeca();
  const cancel = options.signal === undefined ? {} : { cancelSignal: options.signal };
  const source = execa(...boundToParent(dump.tool.path, dump.args), {
    env: toolEnv(dump),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    ...cancel,
  });
  const result = await source.pipe(...boundToParent(restore.tool.path, restore.args), {
    env: toolEnv(restore),
    extendEnv: false,
    reject: false,
    ...cancel,
  });
  const dumped = result.pipedFrom[0] ?? (await source);
  if (options.signal?.aborted === true || result.isCanceled || dumped.isCanceled) {
    throw interrupted(dump);
  }
  // pg_dump's failure is the cause when both fail: pg_restore only saw its output end early.
  if (dumped.exitCode !== 0) throw toolFailure(dump, dumped);
  if (result.exitCode !== 0) throw toolFailure(restore, result);
}
