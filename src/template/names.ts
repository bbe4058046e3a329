import {
  MAX_IDENTIFIER_BYTES,
  truncateToBytes,
  validateDatabaseName,
} from '../server/identifiers.js';

/**
 * Names of the databases dbfast makes for a template. All fit in 63 bytes:
 *   template     <template_name>_<env>_<hash12>
 *   build        <template_name>_<env>_<hash12>_b      (scratch; renamed to the template)
 *   aside        <template_name>_<env>_<hash12>_o      (the template a rebuild replaced; dropped)
 *   pool member  <template_name>_<env>_<hash12>_p<n>   (a ready clone, claimed by rename)
 */

export const HASH_LENGTH = 12;
/** Room kept after the base for `_<hash12>_p<random8>`. */
const SUFFIX_ROOM = 1 + HASH_LENGTH + 3 + 8;

/** The `<template_name>_<env>` part, cut so every derived name fits in 63 bytes. */
export function templateBase(templateName: string, env: string): string {
  return truncateToBytes(`${templateName}_${env}`, MAX_IDENTIFIER_BYTES - SUFFIX_ROOM);
}

export function templateDatabaseName(
  templateName: string,
  env: string,
  fingerprint: string,
): string {
  return validateDatabaseName(
    `${templateBase(templateName, env)}_${fingerprint.slice(0, HASH_LENGTH)}`,
    'template name',
  );
}

export function buildDatabaseName(template: string): string {
  return `${template}_b`;
}

/** Where a forced or expired rebuild moves the template it replaces, until it is dropped. */
export function asideDatabaseName(template: string): string {
  return `${template}_o`;
}

export function poolMemberPrefix(template: string): string {
  return `${template}_p`;
}

/** A generated clone name for `dbfast seed` without --output: `<template_name>_<env>_<time36>`. */
export function generatedCloneName(templateName: string, env: string): string {
  const stamp = Date.now().toString(36);
  const random = Math.floor(Math.random() * 36 ** 3)
    .toString(36)
    .padStart(3, '0');
  return validateDatabaseName(truncateToBytes(`${templateName}_${env}_${stamp}${random}`));
}
