import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'vitest';
import { createDbfast, type Dbfast } from '../../src/dbfast.js';
import { type TempProject, tempProject } from '../helpers/project.js';
import { createDatabase, nameUnder, query, testServerUrl, uniqueName } from '../helpers/server.js';

/** A project whose repository is a migration tool's folder, with only `type` set. */
export async function presetProject(
  type: string,
  files: Record<string, string>,
  extra = '',
): Promise<TempProject> {
  const prefix = uniqueName('ps');
  return tempProject({
    files,
    prefix,
    configText: `[database]\nurl = "${testServerUrl()}"\ntemplate_name = "${prefix}"\n\n[repository]\ntype = "${type}"\n${extra}\n`,
  });
}

/** Build the project's template (default environment) and return a fresh clone's name. */
export async function cloneOf(temp: TempProject, env?: string): Promise<string> {
  const dbfast: Dbfast = await createDbfast({ configPath: `${temp.dir}/dbfast.toml`, env: {} });
  try {
    const clone = await dbfast.clone({
      ...(env === undefined ? {} : { env }),
      name: nameUnder(temp.prefix, 'c'),
    });
    return clone.name;
  } finally {
    await dbfast.close();
  }
}

/** An empty database for a tool to migrate, dropped with the project (same prefix). */
export function emptyDatabase(temp: TempProject): Promise<string> {
  return createDatabase(nameUnder(temp.prefix, 'e'));
}

/** The URL of a database on the test server. */
export function urlOf(database: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * What the migrations made, read from the catalog (so it does not depend on pg_dump's
 * version): tables with their columns, constraints and indexes, views, functions, types,
 * in every schema but the system ones. Bookkeeping tables are included: they must match too.
 */
export async function schemaOf(database: string): Promise<Record<string, unknown>[]> {
  return query(
    database,
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
            (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
                    CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
                    coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
               FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT string_agg(pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
               FROM pg_constraint k WHERE k.conrelid = c.oid) AS constraints,
            CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END AS indexdef,
            CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS viewdef
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        AND c.relkind IN ('r', 'v', 'i', 'S', 'm', 'p')
     UNION ALL
     SELECT n.nspname, p.proname, 'f', pg_get_function_identity_arguments(p.oid), NULL,
            md5(pg_get_functiondef(p.oid)), NULL
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     UNION ALL
     SELECT n.nspname, t.typname, 'enum',
            (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
            NULL, NULL, NULL
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e'
      ORDER BY 1, 2, 3`,
  );
}

/** A bookkeeping table's rows, without the columns that hold the time of the run. */
export async function rowsOf(
  database: string,
  table: string,
  columns: string,
  order: string,
): Promise<Record<string, unknown>[]> {
  return query(database, `SELECT ${columns} FROM ${table} ORDER BY ${order}`);
}

/** A tool's binary from node_modules/.bin (a devDependency). */
export function toolBin(name: string): string {
  return fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
}

/** Run a migration tool; returns its output, throws (with the output) when it fails. */
export async function runTool(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<string> {
  const result = await execa(command, args, {
    cwd: options.cwd,
    env: { ...options.env },
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.exitCode}):\n${result.all}`);
  }
  return String(result.all);
}

export interface ToolComparison {
  /** The bookkeeping table, its columns to compare (no times, no generated ids) and order. */
  table: string;
  columns: string;
  order: string;
  /** Run the tool against a database URL, from the project folder. */
  run(url: string, dir: string): Promise<string>;
  /** What the tool prints when it has nothing to do. */
  nothingToDo: RegExp;
}

/**
 * The check every tool test makes: the template's clone equals what the tool itself makes of
 * an empty database (schema and bookkeeping rows), and the tool, run against the clone, has
 * nothing to do and changes nothing.
 */
export async function compareWithTool(temp: TempProject, tool: ToolComparison): Promise<void> {
  const clone = await cloneOf(temp);
  const reference = await emptyDatabase(temp);
  await tool.run(urlOf(reference), temp.dir);
  const rows = (db: string) => rowsOf(db, tool.table, tool.columns, tool.order);
  expect(await schemaOf(clone)).toEqual(await schemaOf(reference));
  expect(await rows(clone)).toEqual(await rows(reference));
  const before = await schemaOf(clone);
  const beforeRows = await rows(clone);
  expect(await tool.run(urlOf(clone), temp.dir)).toMatch(tool.nothingToDo);
  expect(await schemaOf(clone)).toEqual(before);
  expect(await rows(clone)).toEqual(beforeRows);
}
