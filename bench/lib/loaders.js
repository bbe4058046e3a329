import { dropDatabase } from './server.js';
import { runTool } from './tools.js';

/**
 * dbfast's side of the build and load scenarios, and psql's, doing the same work: dbfast's
 * applyRepository (the loader the template builder runs) loads the repository into a fresh
 * database, psql loads the same files in the same order into another. Creating and dropping
 * the database is off the clock for both.
 *
 * `args`: psql's arguments for the files (without -d); `env`: extra environment for psql
 * (PGOPTIONS carrying the repository's session settings).
 */
export function loadContenders(ctx, { project, args, env, psqlName, tag }) {
  const { lib, server } = ctx;
  let counter = 0;
  const fresh = async () => {
    const database = ctx.name(`${tag}${++counter}`);
    await server.admin.query(`CREATE DATABASE ${lib.databaseIdent(database)}`);
    return database;
  };
  const drop = (database) => dropDatabase(lib, server.admin, database);
  return [
    {
      name: 'dbfast applyRepository',
      role: 'dbfast',
      prepare: fresh,
      run: (database) => lib.applyRepository(project, { database }),
      cleanup: drop,
    },
    {
      name: psqlName,
      prepare: fresh,
      run: (database) => runTool(server, 'psql', [...args, '-d', database], { env }),
      cleanup: drop,
    },
  ];
}
