import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.js';
import {
  cloneOf,
  compareWithTool,
  emptyDatabase,
  presetProject,
  rowsOf,
  runTool,
  urlOf,
} from './helpers.js';

/** Sqitch is a Perl program (Debian: `apt-get install sqitch libdbd-pg-perl`), not on npm. */
const version = await execa('sqitch', ['--version'], { reject: false }).catch(() => undefined);
const available = version?.exitCode === 0;
if (!available && process.env.CI === undefined) {
  console.log('skipping the sqitch comparison: sqitch is not installed (apt-get install sqitch)');
}

/** Run sqitch against a database URL from the project folder, as a fixed user. */
function sqitch(url: string, dir: string, command: string): Promise<string> {
  return runTool('sqitch', [command, '--target', `db:${url.replace(/^postgres(ql)?:/, 'pg:')}`], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      SQITCH_FULLNAME: 'dbfast test',
      SQITCH_EMAIL: 'test@example.com',
    },
  });
}

describe.skipIf(!available && process.env.CI === undefined)(
  'sqitch preset against sqitch itself',
  () => {
    let temp: TempProject | undefined;
    afterEach(async () => {
      await temp?.cleanup();
      temp = undefined;
    });

    it('the same schema and registry rows as `sqitch deploy`; nothing to deploy on a clone', async () => {
      temp = await presetProject('sqitch', {
        'sqitch.conf': '[core]\n\tengine = pg\n',
        'sqitch.plan': `%syntax-version=1.0.0
%project=flipr
%uri=https://example.com/flipr/

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
      await compareWithTool(temp, {
        table: 'sqitch.changes',
        columns:
          'change_id, script_hash, change, project, note, planned_at, planner_name, planner_email',
        order: 'planned_at',
        nothingToDo: /Nothing to deploy \(up-to-date\)/,
        run: (url, dir) => sqitch(url, dir, 'deploy'),
      });
      // The other registry tables, without who ran it and when.
      const clone = await cloneOf(temp);
      const reference = await emptyDatabase(temp);
      await sqitch(urlOf(reference), temp.dir, 'deploy');
      const tables: Array<[string, string, string]> = [
        ['sqitch.releases', 'version', 'version'],
        ['sqitch.projects', 'project, uri', 'project'],
        [
          'sqitch.tags',
          'tag_id, tag, project, change_id, note, planned_at, planner_name, planner_email',
          'tag',
        ],
        [
          'sqitch.dependencies',
          'change_id, type, dependency, dependency_id',
          'change_id, dependency',
        ],
        [
          'sqitch.events',
          'event, change_id, change, project, note, requires, conflicts, tags, planned_at, planner_name, planner_email',
          'planned_at',
        ],
      ];
      for (const [table, columns, order] of tables) {
        expect(await rowsOf(clone, table, columns, order)).toEqual(
          await rowsOf(reference, table, columns, order),
        );
      }
      expect(await sqitch(urlOf(clone), temp.dir, 'status')).toMatch(
        /Nothing to deploy \(up-to-date\)/,
      );
    });
  },
);
