import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';
import { resolveConfig } from '../config/load.js';
import { parseConnectionUrl, redactUrl } from '../config/url.js';
import { DbfastError, ExitCode, isDbfastError, usageError } from '../errors.js';
import { type RemoteSummary, summarizeRemote } from './remotes.js';
import {
  appendRemoteTable,
  checkRemoteName,
  type RemoteSpec,
  removeRemoteTable,
} from './toml-edit.js';

/**
 * `dbfast remote add/remove`: edit dbfast.toml in place. The edit is a text edit (see
 * toml-edit.ts), then proven: the new file must parse to exactly the old data plus (or
 * minus) that one remote, and must not add a configuration problem; otherwise nothing is
 * written.
 */

export interface AddRemoteOptions extends RemoteSpec {
  configPath: string;
  /** For ${VAR} interpolation and password_env while validating; default process.env. */
  env?: Record<string, string | undefined>;
}

/** Add `[remotes.NAME]`. Refuses an existing name and a URL that holds a password. */
export async function addRemote(options: AddRemoteOptions): Promise<RemoteSummary> {
  const name = checkRemoteName(options.name);
  if (urlHasPassword(options.url)) {
    throw usageError(
      'remote.password_in_url',
      `The URL ${redactUrl(options.url)} contains a password; dbfast.toml must not hold one.`,
      'Remove it from the URL and add --password-env VAR, naming the environment variable that holds it.',
    );
  }
  if (!options.url.includes('${')) parseConnectionUrl(options.url, 'The remote URL');
  const text = await readFile(options.configPath, 'utf8');
  const before = parseToml(text, options.configPath);
  const remotes = (before.remotes ?? {}) as Record<string, unknown>;
  if (Object.hasOwn(remotes, name)) {
    throw usageError(
      'remote.exists',
      `Remote "${name}" already exists in ${options.configPath}.`,
      `Remove it first (dbfast remote remove ${name}) or choose another name.`,
    );
  }
  const next = appendRemoteTable(text, options);
  const added = parseToml(next, options.configPath);
  const table = (added.remotes as Record<string, unknown> | undefined)?.[name];
  const expected = { ...before, remotes: { ...remotes, [name]: table } };
  if (table === undefined || !isDeepStrictEqual(added, expected)) unsafe(options.configPath);
  const env = options.env ?? process.env;
  const newProblems = problemsOf(next, options.configPath, env).filter(
    (p) => !problemsOf(text, options.configPath, env).includes(p),
  );
  if (newProblems.length > 0) {
    throw new DbfastError(
      'remote.invalid',
      `Remote "${name}" was not added:\n  ${newProblems.join('\n  ')}`,
      {
        exitCode: ExitCode.usage,
        problems: newProblems,
        hint: 'Fix the options (an --environment must be one of [environments.*]).',
      },
    );
  }
  await writeFile(options.configPath, next);
  const config = resolveConfig(next, {
    configPath: options.configPath,
    rootDir: dirname(options.configPath),
    env,
  });
  const remote = config.remotes[name];
  if (remote === undefined) unsafe(options.configPath);
  return summarizeRemote(remote);
}

/** Remove `[remotes.NAME]` and exactly its lines. */
export async function removeRemote(options: {
  configPath: string;
  name: string;
}): Promise<{ name: string; configPath: string }> {
  const { configPath, name } = options;
  const text = await readFile(configPath, 'utf8');
  const before = parseToml(text, configPath);
  const remotes = { ...((before.remotes ?? {}) as Record<string, unknown>) };
  if (!Object.hasOwn(remotes, name)) {
    throw usageError(
      'remote.unknown',
      `No remote "${name}" in ${configPath}.`,
      'dbfast remote list shows the remotes.',
    );
  }
  const next = removeRemoteTable(text, name);
  if (next === undefined) unsafe(configPath);
  delete remotes[name];
  const expected = withoutEmptyRemotes({ ...before, remotes });
  if (!isDeepStrictEqual(withoutEmptyRemotes(parseToml(next, configPath)), expected)) {
    unsafe(configPath);
  }
  await writeFile(configPath, next);
  return { name, configPath };
}

/** Whether a URL carries a password (user:password@ or ?password=). */
export function urlHasPassword(url: string): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  const at = authority.lastIndexOf('@');
  if (at >= 0 && authority.slice(0, at).includes(':')) return true;
  return /[?&]password=/i.test(url);
}

/** Parsed TOML as plain JSON data (smol-toml makes null-prototype objects and TomlDates). */
function parseToml(text: string, path: string): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(parse(text))) as Record<string, unknown>;
  } catch (error) {
    throw new DbfastError(
      'config.syntax',
      `${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`,
      {
        exitCode: ExitCode.usage,
        cause: error,
      },
    );
  }
}

function problemsOf(
  text: string,
  configPath: string,
  env: Record<string, string | undefined>,
): string[] {
  try {
    resolveConfig(text, { configPath, rootDir: dirname(configPath), env });
    return [];
  } catch (error) {
    if (!isDbfastError(error)) throw error;
    return error.problems.length > 0 ? error.problems : [error.message];
  }
}

function withoutEmptyRemotes(data: Record<string, unknown>): Record<string, unknown> {
  const remotes = data.remotes as Record<string, unknown> | undefined;
  if (remotes === undefined || Object.keys(remotes).length > 0) return data;
  const { remotes: _empty, ...rest } = data;
  return rest;
}

function unsafe(path: string): never {
  throw new DbfastError(
    'remote.edit_unsafe',
    `Cannot edit ${path} safely: the remote is not a plain [remotes.NAME] table there.`,
    { hint: 'Edit the file by hand; nothing was changed.', exitCode: ExitCode.usage },
  );
}
