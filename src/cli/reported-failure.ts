import type { ExitCode } from '../errors.js';

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
