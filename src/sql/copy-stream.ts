/**
 * pg-copy-streams' `from`, loaded on first use: only builds with COPY data or CSV files need
 * it, and the CLI's start-up time is part of every `dbfast clone`.
 */
export async function loadCopyFrom(): Promise<typeof import('pg-copy-streams').from> {
  return (await import('pg-copy-streams')).from;
}
