import type pg from 'pg';
import { withTransaction } from '../server/connection.js';
import { renameDatabase } from '../server/databases.js';
import { databaseIdent, validateDatabaseName } from '../server/identifiers.js';
import type { ServerInfo } from '../server/info.js';
import { type TemplateMetadata, writeMetadata } from '../template/metadata.js';
import { VERSION } from '../version.js';
import type { BackupManifest } from './manifest.js';
import { nameWithSuffix } from './swap.js';

/**
 * `dbfast restore ID --as-template`: a backup restored as a dbfast template, marked like
 * the templates dbfast builds from SQL files (IS_TEMPLATE, no connections, a JSON document
 * in COMMENT ON DATABASE), so that it clones like any other template.
 */

/** `<template_name>_backup_<source>_<timestamp>`, the timestamp always kept (63 bytes). */
export function templateNameFor(templateName: string, manifest: BackupManifest): string {
  const [source = 'backup', stamp = ''] = manifest.id.split('/');
  const tidy = (text: string): string => text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return validateDatabaseName(
    nameWithSuffix(`${templateName}_backup_${tidy(source)}`, `_${tidy(stamp)}`),
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
  id: string,
  manifest: BackupManifest,
  server: ServerInfo,
  buildMs: number,
  sizeBytes: number,
): BackupTemplateMetadata {
  return {
    dbfast: 'template',
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
  info: { id: string; manifest: BackupManifest; server: ServerInfo; buildMs: number },
): Promise<void> {
  const { rows } = await client.query<{ size: string }>('SELECT pg_database_size($1) AS size', [
    scratch,
  ]);
  const size = Number(rows[0]?.size ?? 0);
  const metadata = backupTemplateMetadata(info.id, info.manifest, info.server, info.buildMs, size);
  const ident = databaseIdent(name);
  await withTransaction(client, async () => {
    await writeMetadata(client, scratch, metadata);
    await renameDatabase(client, scratch, name);
    await client.query(`ALTER DATABASE ${ident} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  });
}
