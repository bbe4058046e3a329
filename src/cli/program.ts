import { type Program, rootCommand } from './root.js';

type Register = (program: Program) => void;

/**
 * Every top-level command, in the order `dbfast --help` lists them, with the module that
 * defines it. A module is loaded only when its command can run: `dbfast clone` evaluates
 * clone's module (and the library code it uses), not backup's, deploy's or watch's.
 */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['init', async () => (await import('./commands/init.js')).registerInit],
  ['status', async () => (await import('./commands/status.js')).registerStatus],
  ['environments', async () => (await import('./commands/environments.js')).registerEnvironments],
  ['validate-env', async () => (await import('./commands/validate-env.js')).registerValidateEnv],
  ['server', async () => (await import('./commands/server.js')).registerServer],
  ['seed', async () => (await import('./commands/seed.js')).registerSeed],
  ['clone', async () => (await import('./commands/clone.js')).registerClone],
  ['apply', async () => (await import('./commands/apply.js')).registerApply],
  ['list', async () => (await import('./commands/list.js')).registerList],
  ['drop', async () => (await import('./commands/drop.js')).registerDrop],
  ['template', async () => (await import('./commands/template.js')).registerTemplate],
  ['pool', async () => (await import('./commands/pool.js')).registerPool],
  ['gc', async () => (await import('./commands/gc.js')).registerGc],
  ['watch', async () => (await import('./commands/watch.js')).registerWatch],
  ['remote', async () => (await import('./commands/remote.js')).registerRemote],
  ['backup', async () => (await import('./commands/backup.js')).registerBackup],
  ['restore', async () => (await import('./commands/restore.js')).registerRestore],
  ['deploy', async () => (await import('./commands/deploy.js')).registerDeploy],
  ['snapshot', async () => (await import('./commands/snapshot.js')).registerSnapshot],
];

/**
 * The commander program for these arguments: the global options and the commands that can
 * run. When the arguments name a command, only that one is defined (commander then behaves
 * exactly as with all of them: it parses and dispatches to that command alone); `--version`
 * alone needs none; anything else (no command, an unknown one, help, an option commander
 * reads before the command name) gets every command, so help and "did you mean" see them all.
 */
export async function buildProgram(argv: readonly string[]): Promise<Program> {
  const program = rootCommand();
  const args = argv.slice(2);
  const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const named = versionOnly ? undefined : invokedCommand(args);
  const needed = versionOnly
    ? []
    : COMMANDS.filter(([name]) => named === undefined || name === named);
  const registers = await Promise.all(needed.map(([, load]) => load()));
  for (const register of registers) register(program);
  return program;
}

/** Global options that take a value as the next argument (see root.ts). */
const VALUE_OPTIONS = new Set(['-c', '--config', '--database-url']);
/** Global options without a value. */
const FLAG_OPTIONS = new Set(['--json', '-v', '--verbose']);

/**
 * The known command the arguments name (their first operand), or undefined when they name
 * none, an unknown one, or hold anything before it that commander reads differently (help,
 * an unknown option, `--`, combined short flags): then every command is defined.
 */
function invokedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (VALUE_OPTIONS.has(arg)) {
      i++;
    } else if (
      FLAG_OPTIONS.has(arg) ||
      arg.startsWith('--config=') ||
      arg.startsWith('--database-url=')
    ) {
      // a global option with its value attached, or a flag: the command comes later
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      return COMMANDS.some(([name]) => name === arg) ? arg : undefined;
    }
  }
  return undefined;
}
