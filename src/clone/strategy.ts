import type { CloneStrategy } from '../config/types.js';

/**
 * How CREATE DATABASE … TEMPLATE copies the template.
 * - PG15+: WAL_LOG (default; block by block through WAL; cheap for small templates) or
 *   FILE_COPY (two checkpoints + a file copy; wins for large templates).
 * - PG18+: with FILE_COPY, `file_copy_method = clone` copies through copy_file_range /
 *   reflinks (copy-on-write on XFS/btrfs/APFS/ZFS, an in-kernel copy on ext4).
 * - Below PG15 there is no STRATEGY clause.
 *
 * `file_copy_method` is a user setting (context "user"), so dbfast SETs it in the cloning
 * session only. A server whose OWN default is `clone` (postgresql.conf, or the embedded
 * server after it found its data folder on a reflink file system) declares that its files
 * clone copy-on-write: then a FILE_COPY clone costs about the same at any template size.
 */
export interface StrategyChoice {
  /** The SQL clause to append (empty below PG15). */
  clause: '' | ' STRATEGY WAL_LOG' | ' STRATEGY FILE_COPY';
  /** Whether to `SET file_copy_method = clone` first. */
  cloneFiles: boolean;
  /**
   * What to report: wal_log, file_copy, file_copy+clone (this session sets the clone
   * method), file_copy+reflink (the server itself defaults to it: copy-on-write) or default.
   */
  label: string;
}

/**
 * On a durable server (fsync on), templates at least this big use FILE_COPY under `auto`.
 * Measured with `npm run bench -- --only strategy` (median of per-round FILE_COPY / WAL_LOG
 * ratios, raw CREATE DATABASE, 15 rounds) on a 2-core VM, PostgreSQL 15, durable defaults,
 * shared with other test suites: 30x at 10 MB, 5.8x at 45 MB, 4.9x at 130 MB (295 ms
 * WAL_LOG, 1.3 s FILE_COPY). FILE_COPY's cost is its two checkpoints, which flush whatever
 * the server's other work left dirty, so it barely depends on the template; WAL_LOG's grows
 * with the template (~2.3 ms per MB here). An earlier, quieter run measured 221 ms WAL_LOG
 * and 150 ms FILE_COPY at 130 MB. WAL_LOG won at every size measured, so the threshold sits
 * above them: 512 MB is an extrapolation between the quiet crossover (~130 MB) and the busy
 * one (~1 GB), not a measurement; `clone_strategy` overrides it.
 */
export const FILE_COPY_THRESHOLD_BYTES = 512 * 1024 * 1024;

/**
 * Choose the strategy. With fsync off (the embedded server, test servers) FILE_COPY's
 * checkpoints cost next to nothing and it wins at every size: `npm run bench -- --only
 * strategy` on the embedded PostgreSQL 18.4 (fsync off, file_copy_method = clone on ext4,
 * i.e. an in-kernel copy) measured FILE_COPY / WAL_LOG at 0.84x for the 10 MB example
 * template, 0.72x at 45 MB and 0.34x at 130 MB (medians of per-round ratios).
 *
 * When the server's own `file_copy_method` is `clone` (`serverClones`), FILE_COPY wins at any
 * size whatever fsync says: `npm run bench -- --only cow` on the embedded PostgreSQL 18 with
 * its data on XFS with reflink measured a 1 GB template cloned in about the time of a 10 MB
 * one (see the README's Performance section). `allowFileClone` false (the clone method
 * failed on this server) drops both the clone method and that preference.
 */
export function chooseStrategy(
  configured: CloneStrategy,
  serverMajor: number,
  templateBytes: number,
  fsync: boolean,
  allowFileClone = true,
  serverClones = false,
): StrategyChoice {
  if (serverMajor < 15) return { clause: '', cloneFiles: false, label: 'default' };
  const cloneFiles = allowFileClone && serverMajor >= 18;
  const reflink = cloneFiles && serverClones;
  const fileCopy =
    configured === 'file_copy' ||
    (configured === 'auto' && (reflink || !fsync || templateBytes >= FILE_COPY_THRESHOLD_BYTES));
  if (!fileCopy) return { clause: ' STRATEGY WAL_LOG', cloneFiles: false, label: 'wal_log' };
  return {
    clause: ' STRATEGY FILE_COPY',
    cloneFiles,
    label: reflink ? 'file_copy+reflink' : cloneFiles ? 'file_copy+clone' : 'file_copy',
  };
}
