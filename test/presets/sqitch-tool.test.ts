import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.js';
import { cloneOf, emptyDatabase, presetProject, runTool, schemaOf, urlOf } from './helpers.js';

/** Sqitch is a Perl program (Debian: `apt-get install sqitch libdbd-pg-perl`), not on npm. */
const sqitch = await execa('sqitch', ['--version'], { reject: false }).catch(() => undefined);
const available = sqitch?.exitCode === 0;
if (!available && process.env.CI === undefined) {
  console.log('skipping the sqitch comparison: sqitch is not installed (apt-get install sqitch)');
}

describe.skipIf(!available && process.env.CI === undefined)(
  'sqitch preset against sqitch itself',
  () => {
    let temp: TempProject | undefined;
    afterEach(async () => {
      await temp?.cleanup();
      temp = undefined;
    });

    it('deploys the same schema as `sqitch deploy` (its registry aside), reworked change included', async () => {
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
        'revert/appschema.sql': 'DROP SCHEMA flipr;\n',
        'revert/users.sql': 'ALTER TABLE flipr.users DROP COLUMN email;\n',
        'revert/users@v1.0.sql': 'DROP TABLE flipr.users;\n',
      });
      const clone = await cloneOf(temp);
      const reference = await emptyDatabase(temp);
      const target = `db:${urlOf(reference).replace(/^postgres(ql)?:/, 'pg:')}`;
      await runTool('sqitch', ['deploy', '--target', target], {
        cwd: temp.dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: temp.dir,
          SQITCH_FULLNAME: 'dbfast test',
          SQITCH_EMAIL: 'test@example.com',
        },
      });
      const withoutRegistry = (rows: Record<string, unknown>[]) =>
        rows.filter((row) => row.schema !== 'sqitch');
      expect(withoutRegistry(await schemaOf(reference))).toEqual(await schemaOf(clone));
    });
  },
);
