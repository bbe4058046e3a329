/**
 * How core code tells the outside world what it is doing, without printing: the CLI passes
 * a reporter that draws progress on a TTY; library users may pass their own, or none.
 */
export interface Reporter {
  /** Something a person should know (an OS user was created, a template was rebuilt). */
  notice?(message: string): void;
  /** Progress of a long task: `done` of `total` steps, on `label` (a file, a phase). */
  progress?(event: ProgressEvent): void;
  /** Detail shown with --verbose (per-file timings). */
  verbose?(message: string): void;
  /**
   * The embedded server was started by this process (it keeps running afterwards): a
   * person should learn where it is and how to stop it.
   */
  serverStarted?(event: EmbeddedStarted): void;
}

/** One step of a long task, as `Reporter.progress` receives it. */
export interface ProgressEvent {
  task: string;
  done: number;
  total: number;
  label?: string;
}

/** The embedded server was started (and, when `created`, initialised) by this process. */
export interface EmbeddedStarted {
  /** The server's folder (data, log, port file). */
  dir: string;
  port: number;
  /** True when this start also created the data folder (initdb). */
  created: boolean;
}
