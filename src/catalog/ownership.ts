import type pg from 'pg';
import { DbfastError, ExitCode } from '../errors.js';
import { type Metadata, parseMetadata } from './label.js';

/**
 * Ownership checks: what a database is, as far as this project is concerned. Everything that
 * replaces or drops a database it was merely named asks here first.
 */

export type Ownership =
  | { state: 'missing' }
  | { state: 'clone' }
  | { state: 'other'; description: string; metadata: Metadata | undefined };

/** A person's description of a label, relative to `project` ("a template of this project"). */
export function describeLabel(metadata: Metadata | undefined, project: string): string {
  if (metadata === undefined) return 'a database dbfast did not make';
  const kind =
    metadata.dbfast === 'template'
      ? 'a template'
      : metadata.dbfast === 'build'
        ? "a template build's scratch database"
        : metadata.dbfast === 'pool'
          ? 'a pool member'
          : metadata.dbfast === 'snapshot'
            ? `a snapshot database (${metadata.role})`
            : 'a clone';
  if (metadata.project === undefined) return `${kind} made by dbfast 0.1.0 (no project recorded)`;
  if (metadata.project === project) return `${kind} of this project`;
  return `${kind} of project "${metadata.project}"`;
}

/** Whether `name` exists and, if so, whether it is a clone of `project`. */
export async function ownershipOf(
  client: pg.Client,
  project: string,
  name: string,
): Promise<Ownership> {
  const { rows } = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [name],
  );
  if (rows[0] === undefined) return { state: 'missing' };
  const metadata = parseMetadata(rows[0].comment);
  if (metadata?.dbfast === 'clone' && metadata.project === project) return { state: 'clone' };
  return { state: 'other', description: describeLabel(metadata, project), metadata };
}

/**
 * Throw (exit code 2) unless `name` is missing or a clone of `project`: what `--force` on
 * clone and seed may replace. The message names what the database is and how to remove it
 * deliberately.
 */
export async function requireReplaceable(
  client: pg.Client,
  project: string,
  name: string,
): Promise<void> {
  const owner = await ownershipOf(client, project, name);
  if (owner.state !== 'other') return;
  throw new DbfastError(
    'clone.not_replaceable',
    `Refusing to replace "${name}": it is ${owner.description}. --force replaces only clones of this project.`,
    {
      hint:
        owner.metadata?.dbfast === 'template'
          ? `Templates are removed with \`dbfast template drop ${name}\` (in the project that made it).`
          : `If it really should go, drop it deliberately first: \`dbfast drop ${name} --force\` (it asks for confirmation), or choose another name.`,
      exitCode: ExitCode.usage,
    },
  );
}
