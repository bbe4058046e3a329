import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// graphile-migrate's own hash function, so the fixtures are what `graphile-migrate commit` writes.
import { calculateHash } from 'graphile-migrate/dist/hash.js';
import { afterEach, describe, it } from 'vitest';
import type { TempProject } from '../helpers/project.js';
import { compareWithTool, presetProject, runTool, toolBin } from './helpers.js';

/**
 * The migration tools that install from npm and run offline, run for real: the template
 * dbfast builds from their folder equals what the tool makes of an empty database, and the
 * tool, run against a clone, has nothing to do.
 */
describe('presets against the real tools', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  it('node-pg-migrate: Up sections in prefix order, pgmigrations rows; "No migrations to run!"', async () => {
    temp = await presetProject('node-pg-migrate', {
      // 17-digit UTC prefix and a plain number: node-pg-migrate orders by value.
      'migrations/1700000000000_users.sql': `-- Up Migration
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE FUNCTION users_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;

-- Down Migration
DROP TABLE users;
`,
      'migrations/1700000000001_posts.sql': `-- Up Migration
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users, mood mood);
-- Down Migration
DROP TABLE posts;
DROP TYPE mood;
`,
      'migrations/1700000000002_plain.sql': 'CREATE INDEX posts_user ON posts (user_id);\n',
    });
    await compareWithTool(temp, {
      table: 'pgmigrations',
      columns: 'id, name',
      order: 'id',
      nothingToDo: /No migrations to run!/,
      run: (url, dir) =>
        runTool(toolBin('node-pg-migrate'), ['up', '-m', 'migrations'], {
          cwd: dir,
          env: { DATABASE_URL: url },
        }),
    });
  });

  it('dbmate: migrate:up sections, transaction:false, every version recorded; nothing applied, "Pending: 0"', async () => {
    temp = await presetProject('dbmate', {
      'db/migrations/20240101000000_users.sql': `-- migrate:up
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW; -- a semicolon inside the body
END;
$$;

-- migrate:down
DROP TABLE users;
`,
      'db/migrations/20240102000000_index.sql': `-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY users_email ON users (email);

-- migrate:down
DROP INDEX users_email;
`,
      'db/migrations/README.md': 'not a migration\n',
    });
    const dbmate = (url: string, dir: string, ...args: string[]) =>
      runTool(toolBin('dbmate'), ['--url', withSslDisabled(url), '--no-dump-schema', ...args], {
        cwd: dir,
      });
    await compareWithTool(temp, {
      table: 'schema_migrations',
      columns: 'version',
      order: 'version',
      // `up` says "Applying: …" for each migration it runs; `status` counts what is left.
      nothingToDo: /^(?![\s\S]*Applying)[\s\S]*Pending: 0/,
      run: async (url, dir) => (await dbmate(url, dir, 'up')) + (await dbmate(url, dir, 'status')),
    });
  });

  it('graphile-migrate: committed migrations without their headers, graphile_migrate.migrations rows; "Already up to date"', async () => {
    const files = committed([
      'create table users (id serial primary key, name text not null);\n',
      '--! no-transaction\ncreate index concurrently users_name on users (name);\n',
      "create function greet(n text) returns text language sql as $$ select 'hi ' || n $$;\n",
    ]);
    temp = await presetProject('graphile-migrate', files);
    await compareWithTool(temp, {
      table: 'graphile_migrate.migrations',
      columns: 'hash, previous_hash, filename',
      order: 'filename',
      nothingToDo: /Already up to date/,
      run: (url, dir) =>
        runTool(toolBin('graphile-migrate'), ['migrate'], { cwd: dir, env: { DATABASE_URL: url } }),
    });
  });

  it('drizzle: the journal migrations split at breakpoints, drizzle.__drizzle_migrations rows; nothing re-run', async () => {
    temp = await presetProject('drizzle', {
      'drizzle/0000_init.sql':
        'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"email" text NOT NULL\n);\n--> statement-breakpoint\nCREATE TABLE "posts" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"user_id" integer\n);\n--> statement-breakpoint\nALTER TABLE "posts" ADD CONSTRAINT "posts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;',
      'drizzle/0001_index.sql': 'CREATE INDEX "users_email_idx" ON "users" USING btree ("email");',
      'drizzle/0002_not_in_journal.sql': 'SELECT 1/0;',
      'drizzle/meta/_journal.json': JSON.stringify({
        version: '7',
        dialect: 'postgresql',
        entries: [
          { idx: 0, version: '7', when: 1700000000000, tag: '0000_init', breakpoints: true },
          { idx: 1, version: '7', when: 1700000100000, tag: '0001_index', breakpoints: true },
        ],
      }),
    });
    await compareWithTool(temp, {
      table: 'drizzle.__drizzle_migrations',
      columns: 'id, hash, created_at',
      order: 'id',
      // drizzle-kit prints the same whether or not it ran anything; that the schema and the
      // rows stay the same is the proof (a re-run would fail on CREATE TABLE and add rows).
      nothingToDo: /migrations applied successfully/,
      run: async (url, dir) => {
        await writeFile(
          join(dir, 'drizzle.config.mjs'),
          `export default { dialect: 'postgresql', out: './drizzle', dbCredentials: { url: ${JSON.stringify(url)} } };\n`,
        );
        return runTool(toolBin('drizzle-kit'), ['migrate', '--config', 'drizzle.config.mjs'], {
          cwd: dir,
        });
      },
    });
  });
});

/** graphile-migrate committed files, chained and hashed with graphile-migrate's own function. */
function committed(bodies: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  let previous: string | null = null;
  bodies.forEach((body, i) => {
    const hash = calculateHash(body, previous);
    const name = `${String(i + 1).padStart(6, '0')}.sql`;
    files[`migrations/committed/${name}`] =
      `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}\n--! Message: step ${i + 1}\n\n${body}`;
    previous = hash;
  });
  files['.gmrc'] = '{}\n';
  files['migrations/current.sql'] = '-- work in progress: not committed, not run\nselect 1/0;\n';
  return files;
}

/** dbmate's driver (lib/pq) insists on TLS unless told. */
function withSslDisabled(url: string): string {
  const u = new URL(url);
  u.searchParams.set('sslmode', 'disable');
  return u.toString();
}
