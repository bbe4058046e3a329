import type { Command } from 'commander';
import { ExitCode, openProject, type Project } from '../index.js';
import { createOutput, type Output } from './output.js';

/** The global options every command accepts (see program.ts). */
export interface GlobalOptions {
  config?: string;
  databaseUrl?: string;
  json?: boolean;
  verbose?: boolean;
}

/** What a command handler gets: the output, and the project, opened on first use. */
export interface CommandContext {
  output: Output;
  globals: GlobalOptions;
  project(): Project;
}

/** A command's result: its JSON document and its human text. */
export interface Rendered {
  json: unknown;
  text: string;
  /** Exit code when the result itself reports a failure (e.g. status: server unreachable). */
  exitCode?: ExitCode;
}

/**
 * Thrown after a command printed a result that reports a failure: run.ts sets the exit code
 * and prints nothing more (the result already said what failed, in text or JSON).
 */
export class ReportedFailure extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode) {
    super(`the command reported a failure (exit code ${exitCode})`);
    this.exitCode = exitCode;
  }
}

/**
 * Wrap a command handler: build the context from the global options, run the handler and
 * print its result. Errors propagate to the one catch in run.ts.
 */
export function action<Args extends unknown[]>(
  handler: (ctx: CommandContext, ...args: Args) => Promise<Rendered>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    // DBFAST_DATABASE_URL is the flag's twin, for URLs that must stay off command lines.
    globals.databaseUrl ??= process.env.DBFAST_DATABASE_URL || undefined;
    const output = createOutput({ json: globals.json === true, verbose: globals.verbose === true });
    let project: Project | undefined;
    const ctx: CommandContext = {
      output,
      globals,
      project: () => {
        project ??= openProject({
          ...(globals.config === undefined ? {} : { configPath: globals.config }),
          ...(globals.databaseUrl === undefined ? {} : { databaseUrl: globals.databaseUrl }),
          reporter: output.reporter(),
        });
        return project;
      },
    };
    const rendered = await handler(ctx, ...(args.slice(0, -1) as Args));
    output.result(rendered.json, rendered.text);
    if (rendered.exitCode !== undefined && rendered.exitCode !== ExitCode.ok) {
      throw new ReportedFailure(rendered.exitCode);
    }
  };
}
