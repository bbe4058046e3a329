import { findPgTool, type PgTool, type ToolSearch } from '../server/pg-tools.js';

/**
 * The pg_dump and pg_restore a deploy streams with. pg_dump refuses a server newer than
 * itself; and dumping with the newer of the two servers' pg_dump is what PostgreSQL's docs
 * recommend when moving data to a newer server (an older pg_dump's output usually loads, but
 * is not promised to). So pg_dump must be at least as new as BOTH servers, and pg_restore at
 * least as new as that pg_dump. The error names the version to install.
 */
export async function deployTools(
  servers: { template: { major: number; where: string }; remote: { major: number; where: string } },
  search: ToolSearch,
): Promise<{ pgDump: PgTool; pgRestore: PgTool }> {
  const pgDump = await findPgTool(
    'pg_dump',
    [
      {
        major: servers.template.major,
        purpose: `dump the template on PostgreSQL ${servers.template.major} at ${servers.template.where}`,
      },
      {
        major: servers.remote.major,
        purpose: `dump for the remote's PostgreSQL ${servers.remote.major} at ${servers.remote.where}`,
      },
    ],
    search,
  );
  const pgRestore = await findPgTool(
    'pg_restore',
    [{ major: pgDump.major, purpose: `read the output of pg_dump ${pgDump.version}` }],
    search,
  );
  return { pgDump, pgRestore };
}
