import type { Project } from '../project.js';
import { type ApplySummary, executeFiles } from '../sql/executor.js';
import { executableFile } from './mask.js';
import { scanProject } from './scan.js';

export interface ApplyOptions {
  /** The database to run the files in (it must exist). */
  database: string;
  /** The environment whose files run (default: the project's default environment). */
  env?: string;
}

/**
 * Run the project's repository (the files its environment selects, in order, a preset's
 * up-sections only) against `database`, with the project's runner and session settings.
 * Used by `dbfast apply` and by the template builder. Stops at the first failing file; see
 * executeFiles. Lives here, not in sql/: it reads the Project and the presets, and hands the
 * runner plain data.
 */
export async function applyRepository(
  project: Project,
  options: ApplyOptions,
): Promise<ApplySummary> {
  const { repository, server } = project.config;
  const scan = await scanProject(project.config, project.environment(options.env));
  return executeFiles(
    await project.connection(),
    options.database,
    scan.files.map(executableFile),
    {
      bookkeeping: scan.bookkeeping,
      root: repository.path,
      settings: repository.settings,
      runner: repository.runner,
      reporter: project.reporter,
      variables: repository.variables,
      encoding: repository.encoding,
      ...(server.binDir === undefined ? {} : { binDir: server.binDir }),
    },
  );
}
