import { usageError } from '../errors.js';

/**
 * Text edits of dbfast.toml for `dbfast remote add/remove`: append one `[remotes.NAME]`
 * table, or remove exactly that table's lines. Everything else in the file, comments and
 * formatting included, stays byte for byte; the caller re-parses the result to prove it.
 */

export interface RemoteSpec {
  name: string;
  url: string;
  passwordEnv?: string | undefined;
  environment?: string | undefined;
  requireConfirmation?: boolean | undefined;
  allowDestructive?: boolean | undefined;
  backupBeforeDeploy?: boolean | undefined;
}

/** Remote names are TOML bare keys, so a header never needs quoting. */
export function checkRemoteName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw usageError(
      'remote.bad_name',
      `"${name}" is not a valid remote name.`,
      'Use 1 to 63 letters, digits, "_" or "-".',
    );
  }
  return name;
}

/** The TOML lines of a remote table, keys in the documented order. */
export function remoteTableLines(spec: RemoteSpec): string[] {
  // JSON string escapes are a subset of TOML basic-string escapes.
  const lines = [`[remotes.${checkRemoteName(spec.name)}]`, `url = ${JSON.stringify(spec.url)}`];
  if (spec.passwordEnv !== undefined)
    lines.push(`password_env = ${JSON.stringify(spec.passwordEnv)}`);
  if (spec.environment !== undefined)
    lines.push(`environment = ${JSON.stringify(spec.environment)}`);
  if (spec.allowDestructive !== undefined)
    lines.push(`allow_destructive = ${spec.allowDestructive}`);
  if (spec.backupBeforeDeploy !== undefined) {
    lines.push(`backup_before_deploy = ${spec.backupBeforeDeploy}`);
  }
  if (spec.requireConfirmation !== undefined) {
    lines.push(`require_confirmation = ${spec.requireConfirmation}`);
  }
  return lines;
}

/** Append the table at the end, after one blank line, in the file's own line ending. */
export function appendRemoteTable(text: string, spec: RemoteSpec): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let head = text;
  if (head !== '' && !head.endsWith('\n')) head += eol;
  if (head !== '') head += eol;
  return `${head}${remoteTableLines(spec).join(eol)}${eol}`;
}

/**
 * Remove the `[remotes.NAME]` table: its header through its last key line (comments and
 * blank lines after the last key stay: they usually introduce the next table), plus one
 * blank line in front of it when it was set off by blank lines. Undefined when the file has
 * no such header (the remote is defined some other way, e.g. inline).
 */
export function removeRemoteTable(text: string, name: string): string | undefined {
  const lines = text.split(/(?<=\n)/);
  const start = lines.findIndex((line) => sameKey(tableHeader(line), ['remotes', name]));
  if (start < 0) return undefined;
  let next = start + 1;
  while (next < lines.length && tableHeader(lines[next] ?? '') === undefined) next += 1;
  let last = start;
  for (let i = start + 1; i < next; i += 1) {
    if (!isBlankOrComment(lines[i] ?? '')) last = i;
  }
  let from = start;
  const blankBefore = start > 0 && isBlank(lines[start - 1] ?? '');
  const blankAfter = last + 1 >= lines.length || isBlank(lines[last + 1] ?? '');
  if (blankBefore && blankAfter) from -= 1;
  return [...lines.slice(0, from), ...lines.slice(last + 1)].join('');
}

/** The key path of a `[a.b."c"]` header line, or undefined for other lines and `[[…]]`. */
export function tableHeader(line: string): string[] | undefined {
  const match = /^\s*\[(?!\[)(.*)\]\s*(#.*)?\r?\n?$/.exec(line);
  if (match === null) return undefined;
  const parts: string[] = [];
  const keyPart = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  const body = match[1] ?? '';
  let index = 0;
  while (index < body.length) {
    keyPart.lastIndex = index;
    const part = keyPart.exec(body);
    if (part === null) return undefined;
    parts.push(part[1] !== undefined ? JSON.parse(`"${part[1]}"`) : (part[2] ?? part[3] ?? ''));
    index = keyPart.lastIndex;
  }
  return parts;
}

function sameKey(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((part, i) => part === b[i]);
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function isBlankOrComment(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#');
}
