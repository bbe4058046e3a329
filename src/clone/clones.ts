import { DbfastError, ExitCode } from '../errors.js';
import type { Project } from '../project.js';
import { dropDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';
import { type CloneMetadata, listDbfastDatabases, readMetadata } from '../template/metadata.js';

export interface CloneEntry {
  name: string;
  template: string;
  env: string;
  createdAt: string;
  ageMs: number;
  sizeBytes: number | undefined;
  creator: string;
  /** When gc may drop it, if it has a ttl. */
  expiresAt: string | undefined;
}

/** Every clone dbfast made from this project's templates (by their metadata label). */
export async function listClones(project: Project): Promise<CloneEntry[]> {
  const prefix = `${project.config.database.templateName}_`;
  return project.withClient(async (client) => {
    const entries = await listDbfastDatabases(client, { sizes: true });
    const now = Date.now();
    return entries.flatMap((entry) => {
      const metadata = entry.metadata;
      if (metadata?.dbfast !== 'clone' || !metadata.template.startsWith(prefix)) return [];
      return [cloneEntry(entry.name, metadata, entry.sizeBytes, now)];
    });
  });
}

function cloneEntry(
  name: string,
  metadata: CloneMetadata,
  sizeBytes: number | undefined,
  now: number,
): CloneEntry {
  const created = Date.parse(metadata.createdAt);
  return {
    name,
    template: metadata.template,
    env: metadata.env,
    createdAt: metadata.createdAt,
    ageMs: now - created,
    sizeBytes,
    creator: metadata.creator,
    expiresAt:
      metadata.ttlMs === undefined ? undefined : new Date(created + metadata.ttlMs).toISOString(),
  };
}

export interface DropResult {
  dropped: string[];
  missing: string[];
}

/**
 * Drop databases dbfast created (clones). A database without a dbfast clone label is
 * refused (exit code 2) unless `force`. Nothing is dropped when any name is refused.
 */
export async function dropClones(
  project: Project,
  names: string[],
  options: { force?: boolean } = {},
): Promise<DropResult> {
  const valid = names.map((name) => validateDatabaseName(name));
  return project.withClient(async (client) => {
    const missing: string[] = [];
    const refused: string[] = [];
    for (const name of valid) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        name,
      ]);
      if ((rowCount ?? 0) === 0) {
        missing.push(name);
        continue;
      }
      const metadata = await readMetadata(client, name);
      if (metadata?.dbfast !== 'clone' && options.force !== true) refused.push(name);
    }
    if (refused.length > 0) {
      throw new DbfastError(
        'drop.not_dbfast',
        `Refusing to drop ${refused.map((n) => `"${n}"`).join(', ')}: not created by dbfast clone.`,
        {
          hint: 'Pass --force to drop it anyway (its data is lost). Templates are dropped with `dbfast template drop`.',
          exitCode: ExitCode.usage,
        },
      );
    }
    const dropped: string[] = [];
    for (const name of valid) {
      if (missing.includes(name)) continue;
      await dropDatabase(client, name);
      dropped.push(name);
    }
    return { dropped, missing };
  });
}
