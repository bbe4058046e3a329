import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerApply } from './commands/apply.js';
import { registerBackup } from './commands/backup.js';
import { registerClone } from './commands/clone.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDrop } from './commands/drop.js';
import { registerEnvironments, registerValidateEnv } from './commands/environments.js';
import { registerGc } from './commands/gc.js';
import { registerInit } from './commands/init.js';
import { registerList } from './commands/list.js';
import { registerPool } from './commands/pool.js';
import { registerRemote } from './commands/remote.js';
import { registerRestore } from './commands/restore.js';
import { registerSeed } from './commands/seed.js';
import { registerServer } from './commands/server.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerStatus } from './commands/status.js';
import { registerTemplate } from './commands/template.js';
import { registerWatch } from './commands/watch.js';

/** The commander program: global options and every command (one file per command). */
export function buildProgram(): Command {
  const program = new Command('dbfast')
    .description('A fresh, fully seeded PostgreSQL database in milliseconds.')
    .version(VERSION, '-V, --version')
    .option(
      '-c, --config <path>',
      'dbfast.toml to use (default: the nearest one in this folder or above)',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL server to use; wins over dbfast.toml and DATABASE_URL',
    )
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('-v, --verbose', 'print more detail (per-file timings)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ dbfast init                      write a starter dbfast.toml and sql/ folder
  $ dbfast seed --output demo        build the template (if needed) and create database "demo"
  $ dbfast clone test_db             a fresh copy of the current template
  $ dbfast status --json             what dbfast would use, as JSON

Exit codes: 0 ok, 1 failure, 2 usage error or refused destructive action.`,
    );
  registerInit(program);
  registerStatus(program);
  registerEnvironments(program);
  registerValidateEnv(program);
  registerServer(program);
  registerSeed(program);
  registerClone(program);
  registerApply(program);
  registerList(program);
  registerDrop(program);
  registerTemplate(program);
  registerPool(program);
  registerGc(program);
  registerWatch(program);
  registerRemote(program);
  registerBackup(program);
  registerRestore(program);
  registerDeploy(program);
  registerSnapshot(program);
  return program;
}
