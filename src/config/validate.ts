import { parseDuration } from '../duration.js';
import { interpolate } from './interpolate.js';
import { CONFIG_SCHEMA, type FieldSpec } from './schema.js';

/** A section's checked values: key -> value of the declared type (after ${VAR} interpolation). */
export type CheckedFields = Record<
  string,
  string | number | boolean | string[] | Record<string, string>
>;

export interface CheckedConfig {
  sections: Record<string, CheckedFields>;
  maps: Record<string, Record<string, CheckedFields>>;
}

export interface ValidationResult {
  config: CheckedConfig;
  problems: string[];
}

type LineOf = (path: string[]) => number | undefined;

/**
 * Check a parsed dbfast.toml against CONFIG_SCHEMA. Collects EVERY problem (unknown keys
 * with a "did you mean", wrong types, bad values, unset environment variables) with its key
 * path and, where it can be found, its line; never stops at the first.
 */
export function validateConfig(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  lineOf: LineOf = () => undefined,
): ValidationResult {
  const problems: string[] = [];
  const report = (path: string[], message: string): void => {
    const line = lineOf(path);
    problems.push(`${path.join('.')}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
  };
  const config: CheckedConfig = { sections: {}, maps: {} };

  for (const [sectionName, value] of Object.entries(raw)) {
    const spec = CONFIG_SCHEMA[sectionName];
    if (spec === undefined) {
      report([sectionName], unknownKey(sectionName, Object.keys(CONFIG_SCHEMA), 'section'));
      continue;
    }
    if (!isTable(value)) {
      report([sectionName], `expected a table ([${sectionName}]), got ${describe(value)}`);
      continue;
    }
    if (spec.kind === 'section') {
      config.sections[sectionName] = checkFields([sectionName], value, spec.fields, env, report);
      continue;
    }
    const entries: Record<string, CheckedFields> = {};
    for (const [name, entry] of Object.entries(value)) {
      if (!isTable(entry)) {
        report(
          [sectionName, name],
          `expected a table ([${sectionName}.${name}]), got ${describe(entry)}`,
        );
        continue;
      }
      entries[name] = checkFields([sectionName, name], entry, spec.fields, env, report);
    }
    config.maps[sectionName] = entries;
  }
  return { config, problems };
}

function checkFields(
  path: string[],
  table: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
  env: Record<string, string | undefined>,
  report: (path: string[], message: string) => void,
): CheckedFields {
  const out: CheckedFields = {};
  for (const [key, value] of Object.entries(table)) {
    const keyPath = [...path, key];
    const spec = fields[key];
    if (spec === undefined) {
      report(keyPath, unknownKey(key, Object.keys(fields), 'key'));
      continue;
    }
    const checked = checkValue(value, spec, env, (message) => report(keyPath, message));
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

function checkValue(
  value: unknown,
  spec: FieldSpec,
  env: Record<string, string | undefined>,
  problem: (message: string) => void,
): CheckedFields[string] | undefined {
  const expand = (text: string): string => {
    const result = interpolate(text, env);
    for (const name of result.missing) {
      problem(`environment variable ${name} is not set (use \${${name}:-default} for a fallback)`);
    }
    return result.value;
  };
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string')
        return void problem(`expected a string, got ${describe(value)}`);
      const text = expand(value);
      if (spec.oneOf !== undefined && !spec.oneOf.includes(text)) {
        return void problem(
          `expected one of ${spec.oneOf.map((v) => `"${v}"`).join(', ')}, got "${text}"`,
        );
      }
      if (spec.duration === true && parseDuration(text) === undefined) {
        return void problem(
          `expected a duration such as "90s", "15m", "12h" or "7d", got "${text}"`,
        );
      }
      return text;
    }
    case 'integer':
      if (typeof value !== 'number' && typeof value !== 'bigint') {
        return void problem(`expected an integer, got ${describe(value)}`);
      }
      if (!Number.isInteger(Number(value)))
        return void problem(`expected an integer, got ${value}`);
      if (spec.min !== undefined && Number(value) < spec.min) {
        return void problem(`expected an integer >= ${spec.min}, got ${value}`);
      }
      return Number(value);
    case 'boolean':
      if (typeof value !== 'boolean')
        return void problem(`expected true or false, got ${describe(value)}`);
      return value;
    case 'string[]':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        return void problem(`expected an array of strings, got ${describe(value)}`);
      }
      return value.map(expand);
    case 'string-map': {
      if (!isTable(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        return void problem(`expected a table of strings, got ${describe(value)}`);
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v as string)]));
    }
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  if (typeof value === 'string') return `the string "${value}"`;
  return `${typeof value} ${String(value)}`;
}

function unknownKey(key: string, known: string[], what: 'key' | 'section'): string {
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(key, candidate) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance)[0];
  const suggestion = close === undefined ? '' : ` (did you mean "${close.candidate}"?)`;
  return `unknown ${what}${suggestion}; known: ${known.join(', ')}`;
}

/** Levenshtein distance: small enough inputs (key names) that the O(n*m) table is fine. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
