import { Command } from '@commander-js/extra-typings';
import { VERSION } from '../version.js';

/**
 * The root command: the global options, the version and the closing help text. Their types
 * come from these declarations (commander's extra typings), so every command's
 * `optsWithGlobals()` is typed without a hand-written interface.
 */
export function rootCommand() {
  return new Command('dbfast')
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
}

/** The `dbfast` program, as commands receive it to add themselves. */
export type Program = ReturnType<typeof rootCommand>;

/** The global options every command accepts (declared above). */
export type GlobalOptions = ReturnType<Program['opts']>;

/** A command that groups subcommands (`dbfast backup`, `dbfast pool`, …). */
export type CommandGroup = ReturnType<Program['command']>;
