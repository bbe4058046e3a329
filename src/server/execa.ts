import { existsSync } from 'node:fs';

/**
 * execa, loaded on first use. Most commands (clone above all) never start a process, and
 * importing execa costs tens of milliseconds of CLI start-up: every caller goes through here.
 */
export async function loadExeca(): Promise<typeof import('execa').execa> {
  return (await import('execa')).execa;
}

/** Where util-linux installs setpriv (Debian, Ubuntu, Fedora, Alpine with util-linux). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'];

/**
 * The command line that runs `file` so that it dies with the dbfast process that started it,
 * even when dbfast is SIGKILLed and gets no chance to stop it: on Linux, util-linux's
 * `setpriv --pdeathsig KILL` sets PR_SET_PDEATHSIG and then execs `file` (same pid, so
 * signals and exit codes are the child's own). Where setpriv is missing (macOS, Windows,
 * minimal images) the command runs as it is: Ctrl-C and SIGTERM still stop it through the
 * abort signal, only a SIGKILL of dbfast can leave it running there.
 */
export function boundToParent(file: string, args: readonly string[]): [string, string[]] {
  if (process.platform !== 'linux') return [file, [...args]];
  const setpriv = SETPRIV.find((path) => existsSync(path));
  if (setpriv === undefined) return [file, [...args]];
  return [setpriv, ['--pdeathsig', 'KILL', '--', file, ...args]];
}
