import { parseDuration } from '../duration.js';
import { interpolate } from './interpolate.js';
import { type CheckedConfig, CONFIG_SCHEMA, type FieldSpec, type SectionName } from './schema.js';

/** A checked value of any field (see `ValueOf` in schema.ts for which field gives which). */
type FieldValue = string | number | boolean | string[] | Record<string, string>;
type Table = Record<string, unknown>;
type Report = (path: string[], message: string) => void;

export interface ValidationResult {
  config: CheckedConfig;
  problems: string[];
}

type LineOf = (path: string[]) => number | undefined;

const SECTION_NAMES = Object.keys(CONFIG_SCHEMA);

function isSectionName(name: string): name is SectionName {
  return Object.hasOwn(CONFIG_SCHEMA, name);
}

/**
 * Check a parsed dbfast.toml against CONFIG_SCHEMA. Collects EVERY problem (unknown keys
 * with a "did you mean", wrong types, bad values, unset environment variables) with its key
 * path and, where it can be found, its line; never stops at the first. Values come back
 * typed as the schema declares them (durations in milliseconds); a value with a problem is
 * left out.
 */
export function validateConfig(
  raw: Table,
  env: Record<string, string | undefined>,
  lineOf: LineOf = () => undefined,
): ValidationResult {
  const problems: string[] = [];
  const report: Report = (path, message) => {
    const line = lineOf(path);
    problems.push(`${path.join('.')}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
  };
  const checked: Record<string, unknown> = Object.fromEntries(
    SECTION_NAMES.map((name) => [name, {}]),
  );
  for (const [sectionName, value] of Object.entries(raw)) {
    if (!isSectionName(sectionName)) {
      report([sectionName], unknownKey(sectionName, SECTION_NAMES, 'section'));
      continue;
    }
    if (!isTable(value)) {
      report([sectionName], `expected a table ([${sectionName}]), got ${describe(value)}`);
      continue;
    }
    const spec = CONFIG_SCHEMA[sectionName];
    checked[sectionName] =
      spec.kind === 'section'
        ? checkFields([sectionName], value, spec.fields, env, report)
        : checkEntries(sectionName, value, spec.fields, env, report);
  }
  // The one place unknown data becomes typed: every value above went through checkValue
  // with the field spec CheckedConfig is inferred from, and unknown keys were left out.
  return { config: checked as CheckedConfig, problems };
}

/** A map section ([environments.NAME]): each entry must be a table of the section's fields. */
function checkEntries(
  sectionName: string,
  value: Table,
  fields: Readonly<Record<string, FieldSpec>>,
  env: Record<string, string | undefined>,
  report: Report,
): Record<string, Record<string, FieldValue>> {
  const entries: Record<string, Record<string, FieldValue>> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!isTable(entry)) {
      report(
        [sectionName, name],
        `expected a table ([${sectionName}.${name}]), got ${describe(entry)}`,
      );
      continue;
    }
    entries[name] = checkFields([sectionName, name], entry, fields, env, report);
  }
  return entries;
}

function checkFields(
  path: string[],
  table: Table,
  fields: Readonly<Record<string, FieldSpec>>,
  env: Record<string, string | undefined>,
  report: Report,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(table)) {
    const keyPath = [...path, key];
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined;
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
): FieldValue | undefined {
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
      return text;
    }
    case 'duration': {
      if (typeof value !== 'string')
        return void problem(`expected a string, got ${describe(value)}`);
      const text = expand(value);
      const ms = parseDuration(text);
      if (ms === undefined) {
        return void problem(
          `expected a duration such as "90s", "15m", "12h" or "7d", got "${text}"`,
        );
      }
      return ms;
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
      if (!isStringTable(value)) {
        return void problem(`expected a table of strings, got ${describe(value)}`);
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
    }
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function isStringTable(value: unknown): value is Record<string, string> {
  return isTable(value) && Object.values(value).every((v) => typeof v === 'string');
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
