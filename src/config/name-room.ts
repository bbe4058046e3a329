/**
 * Whether the names dbfast derives from `template_name` and an environment name fit
 * PostgreSQL's limit. A pure rule over lengths, checked when the config is resolved so that
 * a name that would not fit is reported with the other problems of the file; catalog/names.ts
 * builds the names themselves from the same constants.
 */

/** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Hex digits of the hash in a template's name (`<template_name>_<env>_<hash12>`). */
export const HASH_LENGTH = 12;

/** Room kept after `<template_name>_<env>` for the longest suffix, `_<hash12>_p<8 hex>`. */
const SUFFIX_ROOM = 1 + HASH_LENGTH + 2 + 8;

/** The most bytes `<template_name>_<env>` may have. */
export const MAX_BASE_BYTES = MAX_IDENTIFIER_BYTES - SUFFIX_ROOM;

/**
 * A config problem when `<template_name>_<env>` leaves no room for the derived names, else
 * undefined. PostgreSQL silently cuts longer names, after which nothing would match.
 */
export function nameRoomProblem(templateName: string, env: string): string | undefined {
  const bytes = Buffer.byteLength(`${templateName}_${env}`, 'utf8');
  if (bytes <= MAX_BASE_BYTES) return undefined;
  return `template_name "${templateName}" with environment "${env}" gives "${templateName}_${env}" (${bytes} bytes); at most ${MAX_BASE_BYTES} bytes leave room for the suffixes dbfast adds (database names are limited to ${MAX_IDENTIFIER_BYTES} bytes)`;
}
