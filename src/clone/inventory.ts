import type { CloneMetadata } from '../catalog/label.js';
import { listOwned } from '../catalog/list.js';
import { ownershipOf } from '../catalog/ownership.js';
import { DbfastError, ExitCode } from '../errors.js';
import type { Project } from '../project.js';
import { dropDatabase } from '../server/databases.js';
import { validateDatabaseName } from '../server/identifiers.js';

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

/** Every clone this project made (by label: whatever its name, never another project's). */
export async function listClones(project: Project): Promise<CloneEntry[]> {
  return project.withClient(async (client) => {
    const entries = await listOwned(client, project.id, { sizes: true });
    const now = Date.now();
    return entries.flatMap((entry) => {
      const metadata = entry.metadata;
      if (metadata.dbfast !== 'clone') return [];
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
 * Drop clones of this project. Anything else (a database dbfast did not make, a template, a
 * pool member, another project's database) is refused (exit code 2) naming what it is,
 * unless `force` (the CLI asks for confirmation first). Nothing is dropped when any name is
 * refused.
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
      const owner = await ownershipOf(client, project.id, name);
      if (owner.state === 'missing') missing.push(name);
      if (owner.state === 'other' && options.force !== true)
        refused.push(`"${name}" is ${owner.description}`);
    }
    if (refused.length > 0) {
      throw new DbfastError(
        'drop.not_dbfast',
        `Refusing to drop: ${refused.join('; ')}. Only clones of this project are dropped without --force.`,
        {
          hint: 'Pass --force to drop it anyway (its data is lost; you are asked to confirm). Templates are dropped with `dbfast template drop`.',
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
