import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/presets/registry.js';

/** What each tool itself refuses, dbfast refuses too, before anything runs, saying why. */
const CASES: Array<[string, Record<string, string>, string, RegExp]> = [
  ['goose', { '1_a.go': 'package m\n' }, 'preset.go_migration', /1_a\.go is a Go migration/],
  [
    'goose',
    { '1_a.sql': '-- +goose Up\n-- +goose ENVSUB ON\nselect 1;\n' },
    'preset.goose_envsub',
    /ENVSUB ON/,
  ],
  [
    'goose',
    { '1_a.sql': '-- +goose Up\n', '01_b.sql': '-- +goose Up\n' },
    'preset.duplicate_version',
    /same version/,
  ],
  [
    'dbmate',
    { '1_a.sql': 'select 1;\n' },
    'preset.dbmate_no_up',
    /1_a\.sql has no "-- migrate:up" line/,
  ],
  [
    'node-pg-migrate',
    { '1_a.js': 'exports.up = () => {};\n' },
    'preset.js_migration',
    /1_a\.js is not an SQL migration/,
  ],
  [
    'node-pg-migrate',
    // With one file nothing is compared: node-pg-migrate (and dbfast) accept it.
    { 'init.sql': 'select 1;\n', '1_a.sql': 'select 1;\n' },
    'preset.no_prefix',
    /init\.sql has no numeric prefix/,
  ],
  [
    'graphile-migrate',
    { 'committed/000001.sql': 'select 1;\n' },
    'preset.graphile_header',
    /lacks its "--! Previous:"/,
  ],
  [
    'graphile-migrate',
    {
      'committed/000001.sql':
        '--! Previous: -\n--! Hash: sha1:x\n\ngrant all on x to :DATABASE_OWNER;\n',
    },
    'preset.graphile_placeholder',
    /placeholder/,
  ],
  [
    'prisma',
    { 'migration_lock.toml': 'provider = "mysql"\n' },
    'preset.prisma_provider',
    /provider = "mysql"/,
  ],
  [
    'drizzle',
    { '0000_a.sql': 'select 1;' },
    'preset.drizzle_journal',
    /_journal\.json does not exist/,
  ],
  [
    'drizzle',
    { 'meta/_journal.json': '{"dialect":"sqlite","entries":[]}' },
    'preset.drizzle_dialect',
    /dialect "sqlite"/,
  ],
  [
    'drizzle',
    { 'meta/_journal.json': '{"entries":[{"tag":"0000_a","when":1}]}' },
    'preset.drizzle_missing',
    /lists 0000_a, but 0000_a\.sql does not exist/,
  ],
  [
    'flyway',
    { 'V1__a.sql': 'create table ${name} (id int);\n' },
    'preset.flyway_placeholder',
    /Flyway placeholder/,
  ],
  [
    'sqitch',
    { 'deploy/a.sql': 'select 1;\n' },
    'preset.sqitch_plan',
    /sqitch\.plan does not exist/,
  ],
  [
    'sqitch',
    { 'sqitch.plan': 'a 2024-01-01T00:00:00Z A <a@x>\n' },
    'preset.sqitch_missing',
    /lists a, but deploy\/a\.sql does not exist/,
  ],
  [
    'sqitch',
    { 'sqitch.plan': '-a 2024-01-01T00:00:00Z A <a@x>\n' },
    'preset.sqitch_revert',
    /reverts a change/,
  ],
];

describe('preset refusals', () => {
  for (const [type, files, code, message] of CASES) {
    it(`${type}: ${code}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dbfast-preset-'));
      try {
        for (const [file, text] of Object.entries(files)) {
          await mkdir(dirname(join(dir, file)), { recursive: true });
          await writeFile(join(dir, file), text);
        }
        await expect(PRESETS[type]?.scan(dir)).rejects.toMatchObject({
          code,
          message: expect.stringMatching(message),
          hint: expect.any(String),
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('a missing migrations folder names the folder and the key to set', async () => {
    await expect(PRESETS.goose?.scan('/nonexistent/dbfast/migrations')).rejects.toMatchObject({
      code: 'repository.missing',
      message: 'The migrations folder /nonexistent/dbfast/migrations does not exist.',
      hint: expect.stringContaining('[repository] path'),
    });
  });
});
