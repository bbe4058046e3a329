import { ExitCode } from '../errors.js';
import { openProject, type Project } from '../project.js';
import { createOutput, type Output } from './output.js';
import { ReportedFailure } from './reported-failure.js';
import type { GlobalOptions } from './root.js';

/** What an action handler runs on: any command of the program (commander binds `this`). */
interface WithGlobals {
  optsWithGlobals(): GlobalOptions;
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
 * Wrap a command handler: build the context from the global options, run the handler and
 * print its result. Errors propagate to the one catch in run.ts. The handler gets what
 * commander passes an action (the arguments, the options, the command), typed from the
 * command's own declarations.
 */
export function action<Args extends unknown[], Options>(
  handler: (ctx: CommandContext, ...args: [...Args, Options, unknown]) => Promise<Rendered>,
): (this: WithGlobals, ...args: [...Args, Options, unknown]) => Promise<void> {
  return async function (this: WithGlobals, ...args) {
    const globals: GlobalOptions = { ...this.optsWithGlobals() };
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
    const rendered = await handler(ctx, ...args);
    output.result(rendered.json, rendered.text);
    if (rendered.exitCode !== undefined && rendered.exitCode !== ExitCode.ok) {
      throw new ReportedFailure(rendered.exitCode);
    }
  };
}
