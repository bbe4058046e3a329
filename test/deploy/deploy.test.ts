import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../src/backup/verify.js';
import { deployTemplate } from '../../src/deploy/deploy.js';
import { planDeploy } from '../../src/deploy/plan.js';
import { deployTools } from '../../src/deploy/tools.js';
import { connect } from '../../src/server/connection.js';
import { quoteIdent } from '../../src/server/identifiers.js';
import { backupDatabasesLike, backupServer, skipBackups } from '../backup/backup-server.js';
import { failure } from '../helpers/failure.js';
import { type DeployProject, deployProject } from './project.js';

const counts = async (temp: DeployProject, db: string) =>
  temp.sql(
    db,
    'SELECT (SELECT count(*) FROM customer)::int AS customers, (SELECT count(*) FROM orders)::int AS orders',
  );

describe.skipIf(skipBackups)('deploy (template and remote on the backup test server)', () => {
  let temp: DeployProject;
  beforeAll(async () => {
    temp = await deployProject();
  });
  afterAll(async () => {
    await temp?.cleanup();
  });

  it('creates a missing remote database even with allow_destructive = false, without a backup', async () => {
    const project = await temp.configure('allow_destructive = false');
    const plan = await planDeploy(project, { remote: 'prod' });
    expect(plan).toMatchObject({
      env: 'staging',
      database: temp.live,
      exists: false,
      replacing: false,
      backup: false,
    });
    expect(plan.template.build).toBe(true);
    const result = await deployTemplate(project, { remote: 'prod' });
    expect(result).toMatchObject({ previous: undefined, backup: undefined, tables: 2, rows: 1200 });
    expect(result.templateBuilt).toBe(true);
    await result.finished;
    expect(await counts(temp, temp.live)).toEqual([{ customers: 300, orders: 900 }]);
    // No scratch database is left on the remote, and the template's clone is gone.
    expect(await backupDatabasesLike(`${temp.live}_`)).toEqual([]);
    expect(await backupDatabasesLike(`${temp.prefix}_staging_deploy`)).toEqual([]);
  });

  it('refuses to replace with allow_destructive = false, and without confirmation', async () => {
    let project = await temp.configure('allow_destructive = false');
    const notAllowed = await failure(deployTemplate(project, { remote: 'prod', replace: true }));
    expect(notAllowed).toMatchObject({ code: 'deploy.not_allowed', exitCode: 2 });
    expect(notAllowed.message).toContain('allow_destructive is false');
    project = await temp.configure('allow_destructive = true');
    const unconfirmed = await failure(deployTemplate(project, { remote: 'prod' }));
    expect(unconfirmed).toMatchObject({ code: 'deploy.unconfirmed', exitCode: 2 });
    project = await temp.configure('allow_destructive = true\nrequire_confirmation = true');
    const untyped = await failure(deployTemplate(project, { remote: 'prod', replace: true }));
    expect(untyped).toMatchObject({ code: 'deploy.unconfirmed', exitCode: 2 });
    expect(untyped.message).toContain('protected remote "prod"');
    // A production environment is protected whatever the remote says.
    project = await temp.configure('allow_destructive = true', '[environments.production]\n');
    const production = await failure(
      deployTemplate(project, { remote: 'prod', env: 'production', replace: true }),
    );
    expect(production).toMatchObject({ code: 'deploy.unconfirmed', exitCode: 2 });
  });

  it('backs up, replaces, verifies, and can be undone', async () => {
    await temp.sql(temp.live, 'CREATE TABLE marker (x int); INSERT INTO marker VALUES (42)');
    await temp.sql(temp.live, 'DELETE FROM orders WHERE id > 10');
    const project = await temp.configure('allow_destructive = true\nrequire_confirmation = true');
    // A client connected to the remote database is closed by the swap.
    const idle = await connect(backupServer(), { database: temp.live });
    idle.on('error', () => undefined);
    const result = await deployTemplate(project, {
      remote: 'prod',
      replace: true,
      typedRemote: 'prod',
    });
    expect(result.templateBuilt).toBe(false);
    expect(result.backup).toMatch(/^remote\/prod\//);
    expect((await verifyBackup(project, result.backup as string)).ok).toBe(true);
    expect(result.previous).toMatch(new RegExp(`^${temp.live}_old_\\d{8}T\\d{6}Z$`));
    expect(await counts(temp, temp.live)).toEqual([{ customers: 300, orders: 900 }]);
    await expect(temp.sql(temp.live, 'SELECT * FROM marker')).rejects.toThrow(/marker/);
    await expect(idle.query('SELECT 1')).rejects.toThrow();
    await idle.end().catch(() => undefined);

    expect(result.undo).toBe(
      `ALTER DATABASE ${quoteIdent(temp.live)} RENAME TO ${quoteIdent(`${temp.live}_undone`)}; ALTER DATABASE ${quoteIdent(result.previous as string)} RENAME TO ${quoteIdent(temp.live)};`,
    );
    await temp.sql('postgres', result.undo as string);
    expect(await temp.sql(temp.live, 'SELECT x FROM marker')).toEqual([{ x: 42 }]);
  });

  it('skips the backup when backup_before_deploy = false', async () => {
    const project = await temp.configure('allow_destructive = true\nbackup_before_deploy = false');
    const plan = await planDeploy(project, { remote: 'prod' });
    expect(plan).toMatchObject({ exists: true, replacing: true, backup: false });
    const result = await deployTemplate(project, { remote: 'prod', replace: true });
    expect(result.backup).toBeUndefined();
    expect(result.previous).toBeDefined();
  });

  it('a deploy that fails midway leaves the remote as it was', async () => {
    // The remote user may not create an untrusted extension that the template has.
    const role = `${temp.prefix}_deployer`;
    const failing = await deployProject({
      'sql/0_schema/000_extension.sql': 'CREATE EXTENSION IF NOT EXISTS file_fdw;\n',
    });
    try {
      await temp.sql('postgres', `CREATE ROLE ${quoteIdent(role)} LOGIN CREATEDB`);
      await failing.sql(
        'postgres',
        `CREATE DATABASE ${quoteIdent(failing.live)} OWNER ${quoteIdent(role)}`,
      );
      await failing.sql(
        failing.live,
        `SET ROLE ${quoteIdent(role)}; CREATE TABLE marker (x int); INSERT INTO marker VALUES (7)`,
      );
      const project = await failing.configure(`user = "${role}"\nallow_destructive = true`);
      const error = await failure(deployTemplate(project, { remote: 'prod', replace: true }));
      expect(error.code).toBe('pgtool.failed');
      expect(error.message).toMatch(/pg_restore exited with code 1/);
      expect(error.message).toMatch(/permission denied to create extension "file_fdw"/);
      expect(await failing.sql(failing.live, 'SELECT x FROM marker')).toEqual([{ x: 7 }]);
      expect(await backupDatabasesLike(failing.live)).toEqual([failing.live]);
    } finally {
      await failing.cleanup();
      await temp.sql('postgres', `DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    }
  });

  it('names the pg_dump to install when none is new enough for both servers', async () => {
    const error = await failure(
      deployTools(
        { template: { major: 99, where: 'here:5432' }, remote: { major: 15, where: 'there:5432' } },
        {},
      ),
    );
    expect(error.code).toBe('pgtool.too_old');
    expect(error.message).toMatch(/cannot dump the template on PostgreSQL 99 at here:5432/);
    expect(error.hint).toContain('postgresql-client-99');
  });
});
