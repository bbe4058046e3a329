import { dropDatabase } from './server.js';
import { runTool } from './tools.js';

/**
 * dbfast's side of the build and load scenarios, and psql's, doing the same work.
 *
 * - `apply`: the library exports applyRepository: dbfast loads the repository into a fresh
 *   database, psql loads the same files into another; creating the database is off the clock.
 * - `template`: only ensureTemplate is exported: dbfast builds the template from scratch
 *   (ensureTemplate({ force: true }): create, load, ANALYZE, publish), and the baseline does
 *   the same with the system tools: createdb, then psql … -c ANALYZE. The previous template
 *   is dropped off the clock.
 */
export function chooseLoader(lib) {
  if (typeof lib.applyRepository === 'function') return 'apply';
  if (typeof lib.ensureTemplate === 'function') return 'template';
  return undefined;
}

/**
 * The two contenders of one repository. `args`: psql's arguments for the files (without -d);
 * `env`: extra environment for psql (PGOPTIONS for the repository's session settings).
 */
export function loadContenders(ctx, { mode, project, args, env, psqlName, tag }) {
  const { lib, server } = ctx;
  let counter = 0;
  const nextName = () => ctx.name(`${tag}${++counter}`);
  const drop = (database) => dropDatabase(lib, server.admin, database);
  const psql = (database, extra = []) =>
    runTool(server, 'psql', [...args, ...extra, '-d', database], { env });
  if (mode === 'apply') {
    const fresh = async () => {
      const database = nextName();
      await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(database)}`);
      return database;
    };
    return [
      {
        name: 'dbfast applyRepository',
        role: 'dbfast',
        prepare: fresh,
        run: (database) => lib.applyRepository(project, { database }),
        cleanup: drop,
      },
      { name: psqlName, prepare: fresh, run: (database) => psql(database), cleanup: drop },
    ];
  }
  let previous;
  return [
    {
      name: 'dbfast ensureTemplate(force)',
      role: 'dbfast',
      prepare: async () => {
        if (previous !== undefined) await drop(previous);
      },
      run: async () => {
        const template = await lib.ensureTemplate(project, { force: true });
        previous = template.name;
      },
    },
    {
      name: `createdb + ${psqlName} + ANALYZE`,
      prepare: nextName,
      run: async (database) => {
        await runTool(server, 'createdb', [database]);
        await psql(database, ['-c', 'ANALYZE']);
      },
      cleanup: drop,
    },
  ];
}
