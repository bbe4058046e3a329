import { createHash } from 'node:crypto';
import type pg from 'pg';
import { readMetadata, type TemplateMetadata, writeMetadata } from '../catalog/label.js';
import { describeLabel } from '../catalog/ownership.js';
import { DbfastError, ExitCode } from '../errors.js';
import { withTransaction } from '../server/connection.js';
import { renameDatabase } from '../server/databases.js';
import { databaseIdent, validateDatabaseName } from '../server/identifiers.js';
import type { ServerInfo } from '../server/info.js';
import { VERSION } from '../version.js';
import type { BackupManifest } from './manifest.js';
import { nameWithSuffix } from './swap.js';

/**
 * `dbfast restore ID --as-template`: a backup restored as a dbfast template, marked like
 * the templates dbfast builds from SQL files (IS_TEMPLATE, no connections, a JSON document
 * in COMMENT ON DATABASE), so that it clones like any other template.
 */

/**
 * `<template_name>_backup_<source>_<timestamp>_<hash6>`, the timestamp and hash always kept
 * (63 bytes). The source is cleaned for readability; the hash of the backup id keeps two
 * sources whose cleaned names are equal apart.
 */
export function templateNameFor(templateName: string, manifest: BackupManifest): string {
  const stamp = manifest.id.slice(manifest.id.lastIndexOf('/') + 1);
  const tidy = (text: string): string => text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const hash = createHash('sha256').update(manifest.id).digest('hex').slice(0, 6);
  return validateDatabaseName(
    nameWithSuffix(
      `${templateName}_backup_${tidy(manifest.source.name)}`,
      `_${tidy(stamp)}_${hash}`,
    ),
    'template name',
  );
}

/** What a template from a backup carries beyond a built template's metadata. */
export type BackupTemplateMetadata = TemplateMetadata & {
  kind: 'backup';
  backup: string;
  source: string;
  database: string;
  backupStartedAt: string;
};

/** The metadata written into COMMENT ON DATABASE (the fields of a built template, plus backup). */
export function backupTemplateMetadata(
  project: string,
  id: string,
  manifest: BackupManifest,
  server: ServerInfo,
  buildMs: number,
  sizeBytes: number,
): BackupTemplateMetadata {
  return {
    dbfast: 'template',
    project,
    kind: 'backup',
    complete: true,
    backup: id,
    version: VERSION,
    // Not a hash of SQL files: a template from a backup is identified by the backup.
    fingerprint: `backup:${id}`,
    formatVersion: 1,
    env: manifest.source.environment ?? '',
    configHash: '',
    serverMajor: server.major,
    serverVersion: server.version,
    source: manifest.source.name,
    database: manifest.database,
    backupStartedAt: manifest.startedAt,
    files: {},
    extraInputs: {},
    createdAt: new Date().toISOString(),
    buildMs,
    sizeBytes,
  };
}

/**
 * Publish a restored scratch database as the template `name`: comment, rename and template
 * flags in one transaction, so the template appears complete or not at all.
 */
export async function finishAsTemplate(
  client: pg.Client,
  scratch: string,
  name: string,
  info: {
    project: string;
    id: string;
    manifest: BackupManifest;
    server: ServerInfo;
    buildMs: number;
  },
): Promise<void> {
  const { rows } = await client.query<{ size: string }>('SELECT pg_database_size($1) AS size', [
    scratch,
  ]);
  const size = Number(rows[0]?.size ?? 0);
  const metadata = backupTemplateMetadata(
    info.project,
    info.id,
    info.manifest,
    info.server,
    info.buildMs,
    size,
  );
  const ident = databaseIdent(name);
  await withTransaction(client, async () => {
    await writeMetadata(client, scratch, metadata);
    await renameDatabase(client, scratch, name);
    await client.query(`ALTER DATABASE ${ident} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  });
}

/**
 * A restore `--as-template` whose template name exists reuses it only when it is this
 * project's template of that very backup; anything else of that name is left alone.
 */
export async function requireBackupTemplate(
  client: pg.Client,
  project: string,
  name: string,
  id: string,
): Promise<void> {
  const metadata = await readMetadata(client, name);
  const backup = (metadata as Partial<BackupTemplateMetadata> | undefined)?.backup;
  if (metadata?.dbfast === 'template' && metadata.project === project && backup === id) return;
  throw new DbfastError(
    'restore.name_taken',
    `Cannot restore ${id} as a template: the name "${name}" is taken by ${describeLabel(metadata, project)}.`,
    {
      hint: 'dbfast leaves it alone. Rename or drop it yourself, then restore again.',
      exitCode: ExitCode.usage,
    },
  );
}
