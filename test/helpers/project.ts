import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { workPrefix } from '../../src/catalog/work.js';
import { openProject, type Project } from '../../src/project.js';
import { dropDatabasesLike, testServerUrl, uniqueName } from './server.js';

export interface TempProject {
  dir: string;
  /** Unique template_name prefix: every database this project makes starts with it. */
  prefix: string;
  project: Project;
  /** Write (or overwrite) a file relative to the project folder. */
  write(path: string, text: string): Promise<void>;
  /** Re-open the project (after changing dbfast.toml). */
  reopen(): Project;
  cleanup(): Promise<void>;
}

export interface TempProjectOptions {
  /** Files relative to the project folder (sql/…); dbfast.toml is generated unless given. */
  files?: Record<string, string>;
  /** Extra TOML appended to the generated dbfast.toml. */
  toml?: string;
  /** Use this dbfast.toml text as is (still gets the test server unless it sets its own). */
  configText?: string;
  /** The template_name prefix `configText` uses (default: a new unique one); cleanup drops it. */
  prefix?: string;
}

/**
 * A project in a temporary folder, on the test server, with a unique template_name so that
 * parallel test files never see each other's databases. `cleanup` drops what it made.
 */
export async function tempProject(options: TempProjectOptions = {}): Promise<TempProject> {
  const dir = await mkdtemp(join(tmpdir(), 'dbfast-test-'));
  await chmod(dir, 0o755);
  const prefix = options.prefix ?? uniqueName('p');
  const write = async (path: string, text: string): Promise<void> => {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  };
  const toml =
    options.configText ??
    `[database]\nurl = "${testServerUrl()}"\ntemplate_name = "${prefix}"\n\n[repository]\npath = "./sql"\n${options.toml ?? ''}\n`;
  await write('dbfast.toml', toml);
  for (const [path, text] of Object.entries(options.files ?? {})) await write(path, text);
  await mkdir(join(dir, 'sql'), { recursive: true });
  const open = (): Project => openProject({ configPath: join(dir, 'dbfast.toml'), env: {} });
  const temp: TempProject = {
    dir,
    prefix,
    project: open(),
    write,
    reopen: () => {
      temp.project = open();
      return temp.project;
    },
    cleanup: async () => {
      await dropDatabasesLike(prefix);
      await dropDatabasesLike(workPrefix(temp.project.id));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return temp;
}
