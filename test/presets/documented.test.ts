import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.js';
import { query } from '../helpers/server.js';
import { cloneOf, emptyDatabase, presetProject, schemaOf } from './helpers.js';

/**
 * The tools that do not install from npm (Go, Java, Rust and Perl programs): the template
 * equals running the same SQL in the tool's order, and the bookkeeping table holds what the
 * tool's source writes (DDL and rows, see each preset's comment).
 */
describe('presets against the tools documented behaviour', () => {
  let temp: TempProject | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  /** A database made by running `steps` one by one (each its own query), for comparison. */
  async function reference(steps: string[]): Promise<string> {
    const db = await emptyDatabase(temp as TempProject);
    for (const step of steps) await query(db, step);
    return db;
  }

  it('goose: Up sections in numeric version order, NO TRANSACTION, goose_db_version from version 0', async () => {
    temp = await presetProject('goose', {
      'migrations/2_users.sql': `-- +goose Up
CREATE TABLE users (id int PRIMARY KEY, name text);
-- +goose StatementBegin
CREATE FUNCTION hello() RETURNS text AS $$
BEGIN
  RETURN 'hi';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
DROP TABLE users;
`,
      'migrations/10_index.sql': `-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY users_name ON users (name);
-- +goose Down
DROP INDEX users_name;
`,
      'migrations/README.md': 'notes\n',
    });
    const clone = await cloneOf(temp);
    const ref = await reference([
      'CREATE TABLE users (id int PRIMARY KEY, name text)',
      "CREATE FUNCTION hello() RETURNS text AS $$\nBEGIN\n  RETURN 'hi';\nEND;\n$$ LANGUAGE plpgsql",
      'CREATE INDEX CONCURRENTLY users_name ON users (name)',
      'CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id))',
    ]);
    expect(await schemaOf(clone)).toEqual(await schemaOf(ref));
    expect(
      await query(
        clone,
        'SELECT id, version_id::text AS v, is_applied FROM goose_db_version ORDER BY id',
      ),
    ).toEqual([
      { id: 1, v: '0', is_applied: true },
      { id: 2, v: '2', is_applied: true },
      { id: 3, v: '10', is_applied: true },
    ]);
  });

  it('golang-migrate: .up.sql files by version, down files left out, one schema_migrations row', async () => {
    temp = await presetProject('golang-migrate', {
      'migrations/1_init.up.sql': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n',
      'migrations/1_init.down.sql': 'DROP TABLE b;\nDROP TABLE a;\n',
      'migrations/20240101120000_more.up.sql': 'ALTER TABLE a ADD COLUMN name text;\n',
      'migrations/20240101120000_more.down.sql': 'ALTER TABLE a DROP COLUMN name;\n',
      'migrations/3_third.up.sql': 'CREATE VIEW v AS SELECT id FROM a;\n',
    });
    const clone = await cloneOf(temp);
    const ref = await reference([
      'CREATE TABLE a (id int); CREATE TABLE b (id int)',
      'CREATE VIEW v AS SELECT id FROM a',
      'ALTER TABLE a ADD COLUMN name text',
      'CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)',
    ]);
    expect(await schemaOf(clone)).toEqual(await schemaOf(ref));
    expect(await query(clone, 'SELECT version::text AS v, dirty FROM schema_migrations')).toEqual([
      { v: '20240101120000', dirty: false },
    ]);
  });

  it('flyway: versions as numbers, repeatables last, undo files out, flyway_schema_history with CRC32 checksums', async () => {
    const files = {
      'db/migration/V1__create_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\r\n',
      'db/migration/V1_10__later.sql': 'ALTER TABLE users ADD COLUMN later text;\n',
      'db/migration/sub/V1.2__add_name.sql': '\uFEFFALTER TABLE users ADD COLUMN name text;\n\n',
      'db/migration/R__users_view.sql':
        'CREATE OR REPLACE VIEW users_v AS SELECT id, name FROM users;\n',
      'db/migration/U1__undo.sql': 'DROP TABLE users;\n',
    };
    temp = await presetProject('flyway', files);
    const clone = await cloneOf(temp);
    const ref = await reference([
      'CREATE TABLE users (id int PRIMARY KEY)',
      'ALTER TABLE users ADD COLUMN name text',
      'ALTER TABLE users ADD COLUMN later text',
      'CREATE OR REPLACE VIEW users_v AS SELECT id, name FROM users',
      'CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL)',
      'ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")',
      'CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")',
    ]);
    expect(await schemaOf(clone)).toEqual(await schemaOf(ref));
    // Flyway's checksum: CRC32 of the lines' bytes without line breaks (nor a BOM), signed.
    const checksum = (text: string) =>
      crc32(
        Buffer.from(
          text
            .replace(/^\uFEFF/, '')
            .split(/\r\n|\r|\n/)
            .join(''),
        ),
      ) | 0;
    expect(
      await query(
        clone,
        'SELECT installed_rank, version, description, type, script, checksum, installed_by = current_user AS by_me, success FROM flyway_schema_history ORDER BY installed_rank',
      ),
    ).toEqual(
      [
        ['V1__create_users.sql', '1', 'create users'],
        ['sub/V1.2__add_name.sql', '1.2', 'add name'],
        ['V1_10__later.sql', '1.10', 'later'],
        ['R__users_view.sql', null, 'users view'],
      ].map(([script, version, description], i) => ({
        installed_rank: i + 1,
        version,
        description,
        type: 'SQL',
        script,
        checksum: checksum(files[`db/migration/${script}` as keyof typeof files]),
        by_me: true,
        success: true,
      })),
    );
  });

  it('prisma: folders in name order, _prisma_migrations with sha256 checksums and one applied step', async () => {
    const files = {
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_init/migration.sql':
        '-- CreateTable\nCREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n',
      'prisma/migrations/20240202000000_email_index/migration.sql':
        '-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
    };
    temp = await presetProject('prisma', files);
    const clone = await cloneOf(temp);
    const ref = await reference([
      files['prisma/migrations/20240101000000_init/migration.sql'],
      files['prisma/migrations/20240202000000_email_index/migration.sql'],
      'CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)',
    ]);
    expect(await schemaOf(clone)).toEqual(await schemaOf(ref));
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(
      await query(
        clone,
        `SELECT migration_name, checksum, applied_steps_count, logs, rolled_back_at,
                finished_at IS NOT NULL AS finished, length(id) AS id_length
           FROM _prisma_migrations ORDER BY started_at, migration_name`,
      ),
    ).toEqual(
      ['20240101000000_init', '20240202000000_email_index'].map((name) => ({
        migration_name: name,
        checksum: sha(files[`prisma/migrations/${name}/migration.sql` as keyof typeof files]),
        applied_steps_count: 1,
        logs: null,
        rolled_back_at: null,
        finished: true,
        id_length: 36,
      })),
    );
  });

  it('supabase: migrations then seed.sql, schema_migrations with their statements, seed_files', async () => {
    const seed = "INSERT INTO notes (body) VALUES ('hello; world');\n";
    temp = await presetProject('supabase', {
      'supabase/migrations/20240101000000_notes.sql':
        '-- notes\ncreate table notes (id bigint generated always as identity primary key, body text);\n\nalter table notes enable row level security;\n',
      'supabase/migrations/20240102000000_fn.sql':
        'create function one() returns int language sql as $$ select 1; $$;\n',
      'supabase/migrations/notes.txt': 'not a migration\n',
      'supabase/seed.sql': seed,
    });
    const clone = await cloneOf(temp);
    expect(await query(clone, 'SELECT body FROM notes')).toEqual([{ body: 'hello; world' }]);
    expect(
      await query(
        clone,
        'SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version',
      ),
    ).toEqual([
      {
        version: '20240101000000',
        name: 'notes',
        statements: [
          '-- notes\ncreate table notes (id bigint generated always as identity primary key, body text)',
          'alter table notes enable row level security',
        ],
      },
      {
        version: '20240102000000',
        name: 'fn',
        statements: ['create function one() returns int language sql as $$ select 1; $$'],
      },
    ]);
    expect(await query(clone, 'SELECT path, hash FROM supabase_migrations.seed_files')).toEqual([
      { path: 'supabase/seed.sql', hash: createHash('sha256').update(seed).digest('hex') },
    ]);
  });

  it('sqitch: deploy scripts in plan order, a reworked change from its tagged script (registry: see sqitch-tool.test.ts)', async () => {
    temp = await presetProject('sqitch', {
      'sqitch.conf': '[core]\n\tengine = pg\n',
      'sqitch.plan': `%syntax-version=1.0.0
%project=flipr

appschema 2024-01-01T00:00:00Z Ann <ann@example.com> # schema
users [appschema] 2024-01-02T00:00:00Z Ann <ann@example.com> # users
@v1.0 2024-01-03T00:00:00Z Ann <ann@example.com> # tag
users [users@v1.0] 2024-01-04T00:00:00Z Ann <ann@example.com> # users, reworked
`,
      'deploy/appschema.sql': 'BEGIN;\nCREATE SCHEMA flipr;\nCOMMIT;\n',
      'deploy/users@v1.0.sql': 'BEGIN;\nCREATE TABLE flipr.users (name text);\nCOMMIT;\n',
      'deploy/users.sql': 'BEGIN;\nALTER TABLE flipr.users ADD COLUMN email text;\nCOMMIT;\n',
      'revert/users.sql': 'DROP TABLE flipr.users;\n',
      'verify/users.sql': 'SELECT 1/0;\n',
    });
    const clone = await cloneOf(temp);
    const ref = await reference([
      'CREATE SCHEMA flipr',
      'CREATE TABLE flipr.users (name text)',
      'ALTER TABLE flipr.users ADD COLUMN email text',
    ]);
    const app = (rows: Record<string, unknown>[]) => rows.filter((row) => row.schema !== 'sqitch');
    expect(app(await schemaOf(clone))).toEqual(await schemaOf(ref));
    expect(
      await query(clone, 'SELECT change, note FROM sqitch.changes ORDER BY planned_at'),
    ).toEqual([
      { change: 'appschema', note: 'schema' },
      { change: 'users', note: 'users' },
      { change: 'users', note: 'users, reworked' },
    ]);
  });
});
