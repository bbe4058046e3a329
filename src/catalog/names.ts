import { createHash } from 'node:crypto';
import { HASH_LENGTH } from '../config/name-room.js';
import { truncateToBytes, validateDatabaseName } from '../server/identifiers.js';

// The length rule lives with the config, which refuses a template_name that leaves no room.
export { MAX_BASE_BYTES } from '../config/name-room.js';

/**
 * Names of the databases dbfast makes for a template. All fit in 63 bytes (the config is
 * refused when `template_name` and an environment name leave no room: see
 * config/name-room.ts):
 *   template     <template_name>_<env>_<hash12>
 *   (0.1.0 moved a template a rebuild replaced to `<name>_o`; it now goes to a work name:
 *   see template/retire.ts. The pattern stays reserved below.)
 *   pool member  <template_name>_<env>_<hash12>_p<8 hex> (a ready clone, claimed by rename)
 * Names are for people; what a database IS comes from its label (label.ts), never its name.
 */

/** The `<template_name>_<env>` part (the config guarantees it fits: see config/name-room.ts). */
export function templateBase(templateName: string, env: string): string {
  return `${templateName}_${env}`;
}

/**
 * `<template_name>_<env>_<hash12>`, the hash covering the project's identity and the
 * fingerprint: two projects sharing a template_name and SQL files never share a name.
 */
export function templateDatabaseName(
  templateName: string,
  project: string,
  env: string,
  fingerprint: string,
): string {
  const hash = createHash('sha256').update(`${project}\0${fingerprint}`).digest('hex');
  return validateDatabaseName(
    `${templateBase(templateName, env)}_${hash.slice(0, HASH_LENGTH)}`,
    'template name',
  );
}

export function poolMemberName(template: string, random: string): string {
  return `${template}_p${random}`;
}

/** A generated clone name for `dbfast seed` without --output: `<template_name>_<env>_<time36>`. */
export function generatedCloneName(templateName: string, env: string): string {
  const stamp = Date.now().toString(36);
  const random = Math.floor(Math.random() * 36 ** 3)
    .toString(36)
    .padStart(3, '0');
  return validateDatabaseName(truncateToBytes(`${templateName}_${env}_${stamp}${random}`));
}

const OWN_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /_[0-9a-f]{12}$/, what: 'a template' },
  { pattern: /_[0-9a-f]{12}_b$/, what: "a template build's scratch database" },
  { pattern: /_[0-9a-f]{12}_o$/, what: 'a replaced template' },
  { pattern: /_[0-9a-f]{12}_p[0-9a-f]{8}$/, what: 'a pool member' },
];

/**
 * What kind of dbfast database a name looks like (`a template`, `a pool member`, …), or
 * undefined. Clone names matching one are refused: a user's database must never look like
 * something dbfast makes and manages by itself.
 */
export function ownPatternOf(name: string): string | undefined {
  return OWN_PATTERNS.find((p) => p.pattern.test(name))?.what;
}
