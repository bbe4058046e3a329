import { existsSync } from 'node:fs';
import { copyFile, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The repositories of the build comparison: the example repository and the corpora of the
 * folder DBFAST_CORPUS names (see its README.md for each trap; the tests read the same
 * variable), set up so that dbfast's order (natural order of paths) is the right one. psql
 * then gets the same files in the same order, taken from dbfast's own listRepository().
 */
const CORPUS_ROOT = process.env.DBFAST_CORPUS ?? '';

/** Why the corpora cannot be measured, or undefined when they can. */
export function corpusMissing() {
  if (CORPUS_ROOT === '') return 'DBFAST_CORPUS is not set (the folder of SQL corpora)';
  if (!existsSync(CORPUS_ROOT)) return `DBFAST_CORPUS=${CORPUS_ROOT} does not exist`;
  return undefined;
}

export const EXCLUDED = {
  chinook: 'it drops, creates and \\c-onnects to its own database `chinook`',
  postgrest: 'it needs PostGIS (not installed)',
};

/**
 * Every repository to build, with what psql needs to load it the same way: the example
 * repository, and the corpora when corpusMissing() says they are there.
 */
export async function buildRepositories(tmp) {
  const example = { name: 'example', path: new URL('../../sql', import.meta.url).pathname };
  if (corpusMissing() !== undefined) return [example].map(withDefaults);
  const repos = [
    example,
    // Name order puts pagila-data before pagila-schema, and data first fails: number them.
    {
      name: 'pagila',
      path: await staged(tmp, 'pagila', [
        ['pagila-schema.sql', '1_pagila-schema.sql'],
        ['pagila-data.sql', '2_pagila-data.sql'],
      ]),
    },
    { name: 'northwind', path: join(CORPUS_ROOT, 'northwind') },
    { name: 'lago-api', path: join(CORPUS_ROOT, 'lago-api') },
    // Diesel migrations: one folder per migration, timestamped; path order is run order.
    { name: 'lemmy', path: join(CORPUS_ROOT, 'lemmy') },
    // Numeric order (00010 after 0009: natural order does that) and search_path=storage,
    // public. It cannot run under psql -1: CREATE INDEX CONCURRENTLY and COMMIT inside DO.
    {
      name: 'supabase-storage',
      path: join(CORPUS_ROOT, 'supabase-storage'),
      settings: { search_path: 'storage,public' },
      singleTransaction: false,
      // Roles it creates when missing (0002-storage-schema.sql): cluster-wide.
      roles: ['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_storage_admin'],
    },
  ];
  return repos.map(withDefaults);
}

function withDefaults(repo) {
  return { singleTransaction: true, settings: {}, roles: [], ...repo };
}

async function staged(tmp, name, files) {
  const dir = join(tmp, 'corpus', name);
  await mkdir(dir, { recursive: true });
  for (const [from, to] of files) await copyFile(join(CORPUS_ROOT, name, from), join(dir, to));
  return dir;
}

/**
 * psql arguments that load `files` (dbfast's RepositoryFile list) in order: `-f` for SQL,
 * `-c \copy` for CSV (the same table, columns and options dbfast's CSV loader uses).
 */
export async function psqlArgs(lib, files, { singleTransaction }) {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  if (singleTransaction) args.push('-1');
  for (const file of files) {
    if (file.kind === 'sql') {
      args.push('-f', file.absolutePath);
      continue;
    }
    args.push('-c', await copyCommand(lib, file.absolutePath, file.path));
  }
  return args;
}

/** `\copy table (columns) FROM 'file' WITH (FORMAT csv, HEADER true)` for a CSV file. */
export async function copyCommand(lib, absolutePath, path) {
  const table = path
    .split('/')
    .at(-1)
    .replace(/\.csv$/i, '')
    .split('.')
    .map((part) => lib.quoteIdent(part))
    .join('.');
  const head = (await firstChunk(absolutePath)).split(/\r?\n/, 1)[0] ?? '';
  // The headers of our CSV files are plain names (no quoted commas): split is enough here.
  const columns = head
    .split(',')
    .map((c) => lib.quoteIdent(c))
    .join(', ');
  const literal = `'${absolutePath.replaceAll("'", "''")}'`;
  return `\\copy ${table} (${columns}) FROM ${literal} WITH (FORMAT csv, HEADER true)`;
}

async function firstChunk(path) {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
