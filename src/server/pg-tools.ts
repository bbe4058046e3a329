import { constants } from 'node:fs';
import { access, readdir, realpath } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { DbfastError } from '../errors.js';
import { loadExeca } from './execa.js';

/**
 * Finding pg_dump, pg_restore and psql. pg_dump refuses to dump a server of a newer major
 * version than its own, so a tool is chosen by version, not merely by being on the PATH,
 * and when none fits the error says which version to install and how.
 */

export type PgToolName = 'pg_dump' | 'pg_restore' | 'psql';

export interface PgTool {
  name: PgToolName;
  path: string;
  /** e.g. "15.20" */
  version: string;
  major: number;
  /** Where it was found: `server.bin_dir`, `PG_BIN`, `PATH` or `/usr/lib/postgresql`. */
  source: string;
}

export interface ToolSearch {
  /** `[server] bin_dir` from dbfast.toml: searched first. */
  binDir?: string | undefined;
  /** The environment (PG_BIN, PATH); defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export interface ToolRequirement {
  /** The smallest acceptable major version. */
  major: number;
  /** What the tool is needed for, completing "pg_dump 15.20 cannot …". */
  purpose: string;
}

/** Read "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" or "… 18beta1". */
export function parseToolVersion(text: string): { version: string; major: number } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)((?:\.\d+)*)(\w*)/.exec(text);
  if (match === null) return undefined;
  return { version: `${match[1]}${match[2]}${match[3]}`, major: Number(match[1]) };
}

/** The folders to search, in precedence order: bin_dir, PG_BIN, PATH, then Debian's layout. */
export async function toolDirectories(
  search: ToolSearch = {},
): Promise<{ dir: string; source: string }[]> {
  const env = search.env ?? process.env;
  const dirs: { dir: string; source: string }[] = [];
  if (search.binDir !== undefined) dirs.push({ dir: search.binDir, source: 'server.bin_dir' });
  if (env.PG_BIN) dirs.push({ dir: env.PG_BIN, source: 'PG_BIN' });
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '') dirs.push({ dir, source: 'PATH' });
  }
  // Debian/Ubuntu install every major side by side; the newest comes first.
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const version of versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => +b - +a)) {
    dirs.push({ dir: join('/usr/lib/postgresql', version, 'bin'), source: '/usr/lib/postgresql' });
  }
  return dirs;
}

/**
 * Every copy of `name` found, with its version, in precedence order (first wins). Debian's
 * /usr/bin/pg_dump is pg_wrapper, a Perl script that picks a binary from
 * /usr/lib/postgresql and costs ~100 ms per call: wrappers come after every real binary,
 * and with `wrappers: false` they are left out (and never started).
 */
export async function listPgTools(
  name: PgToolName,
  search: ToolSearch = {},
  options: { wrappers?: boolean } = {},
): Promise<PgTool[]> {
  const candidates: { path: string; source: string }[] = [];
  const wrappers: { path: string; source: string }[] = [];
  const seen = new Set<string>();
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  for (const { dir, source } of await toolDirectories(search)) {
    const path = join(dir, file);
    const executable = await access(path, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!executable) continue;
    // /bin and /usr/bin are often one folder: list each real program once.
    const real = await realpath(path);
    if (seen.has(real)) continue;
    seen.add(real);
    (basename(real) === 'pg_wrapper' ? wrappers : candidates).push({ path, source });
  }
  if (options.wrappers !== false) candidates.push(...wrappers);
  // Ask every candidate its version at once: each answer is a process start (~10 ms).
  const versions = await Promise.all(
    candidates.map(async ({ path }) => {
      const result = await (await loadExeca())(path, ['--version'], {
        reject: false,
        timeout: 10_000,
      });
      return result.exitCode === 0 ? parseToolVersion(String(result.stdout)) : undefined;
    }),
  );
  return candidates.flatMap(({ path, source }, i) => {
    const parsed = versions[i];
    return parsed === undefined ? [] : [{ name, path, source, ...parsed }];
  });
}

/**
 * The first `name` (in precedence order) whose major version meets every requirement, or
 * a DbfastError saying what was found, which version is needed and how to install it.
 */
export async function findPgTool(
  name: PgToolName,
  requirements: ToolRequirement[],
  search: ToolSearch = {},
  /** `listPgTools(name, search, { wrappers: false })`, when the caller already has it. */
  listed?: PgTool[],
): Promise<PgTool> {
  const needed = Math.max(0, ...requirements.map((r) => r.major));
  const direct = listed ?? (await listPgTools(name, search, { wrappers: false }));
  const fit = direct.find((tool) => tool.major >= needed);
  if (fit !== undefined) return fit;
  return pickTool(await listPgTools(name, search), name, requirements);
}

/** findPgTool's choice among tools already listed (see listPgTools). */
export function pickTool(
  tools: PgTool[],
  name: PgToolName,
  requirements: ToolRequirement[],
): PgTool {
  const needed = Math.max(0, ...requirements.map((r) => r.major));
  const fit = tools.find((tool) => tool.major >= needed);
  if (fit !== undefined) return fit;
  const hint = installHint(needed > 0 ? needed : undefined);
  if (tools.length === 0) {
    throw new DbfastError(
      'pgtool.missing',
      `${name} was not found (searched [server] bin_dir, PG_BIN, the PATH and /usr/lib/postgresql/*/bin).`,
      { hint },
    );
  }
  const best = tools.reduce((a, b) => (b.major > a.major ? b : a));
  const unmet = requirements.filter((r) => r.major > best.major);
  const purposes = unmet.map((r) => `${r.purpose} (needs ${name} ${r.major} or newer)`).join('; ');
  const foundList = tools.map((t) => `${t.version} at ${t.path}`).join(', ');
  throw new DbfastError(
    'pgtool.too_old',
    `${name} ${best.version} cannot ${purposes}. Found ${name} ${foundList}.`,
    { hint },
  );
}

/** How to get the client tools of a major version (Debian names the package by major). */
export function installHint(major: number | undefined): string {
  const v = major === undefined ? 'NN' : String(major);
  return (
    `Install the PostgreSQL ${v} client tools: on Debian/Ubuntu \`sudo apt-get install postgresql-client-${v}\` ` +
    `(from the PostgreSQL apt repository, apt.postgresql.org, when your release lacks it), on macOS ` +
    `\`brew install postgresql@${v}\`. Then put their bin folder on the PATH, in PG_BIN or in [server] bin_dir.`
  );
}
