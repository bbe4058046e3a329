import type pg from 'pg';

/**
 * Gather planner statistics for the tables a repository made, so that every clone starts
 * with them. Only user tables: a bare `ANALYZE` also walks every system catalog, which on
 * small repositories costs more than loading them (200-400 ms of a 0.3 s northwind build on
 * PostgreSQL 15); the catalogs keep the statistics template1 gave them. One round trip: the
 * table list is built and quoted by the server (format %I). Partitions are analyzed through
 * their parent.
 */
export async function analyzeUserTables(client: pg.Client): Promise<void> {
  await client.query(`DO $analyze$
DECLARE tables text;
BEGIN
  SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') INTO tables
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
     AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_';
  IF tables IS NOT NULL THEN
    EXECUTE 'ANALYZE ' || tables;
  END IF;
END
$analyze$`);
}
