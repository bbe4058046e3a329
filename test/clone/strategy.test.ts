import { describe, expect, it } from 'vitest';
import { chooseStrategy, FILE_COPY_THRESHOLD_BYTES } from '../../src/clone/strategy.js';

const MB = 1024 * 1024;

describe('chooseStrategy', () => {
  it('has no STRATEGY clause below PostgreSQL 15, whatever is configured', () => {
    for (const configured of ['auto', 'wal_log', 'file_copy'] as const) {
      expect(chooseStrategy(configured, 14, 10 * MB, true)).toEqual({
        clause: '',
        cloneFiles: false,
        label: 'default',
      });
    }
  });

  it('auto with fsync on: WAL_LOG below the threshold, FILE_COPY from it', () => {
    expect(chooseStrategy('auto', 15, 10 * MB, true)).toEqual({
      clause: ' STRATEGY WAL_LOG',
      cloneFiles: false,
      label: 'wal_log',
    });
    expect(chooseStrategy('auto', 15, FILE_COPY_THRESHOLD_BYTES - 1, true).label).toBe('wal_log');
    expect(chooseStrategy('auto', 15, FILE_COPY_THRESHOLD_BYTES, true)).toEqual({
      clause: ' STRATEGY FILE_COPY',
      cloneFiles: false,
      label: 'file_copy',
    });
  });

  it('auto with fsync off: FILE_COPY at every size', () => {
    expect(chooseStrategy('auto', 15, 1 * MB, false).label).toBe('file_copy');
    expect(chooseStrategy('auto', 17, 500 * MB, false).label).toBe('file_copy');
  });

  it('PostgreSQL 18 copies files by cloning them, unless that failed before', () => {
    expect(chooseStrategy('auto', 18, 1 * MB, false)).toEqual({
      clause: ' STRATEGY FILE_COPY',
      cloneFiles: true,
      label: 'file_copy+clone',
    });
    expect(chooseStrategy('auto', 18, 1 * MB, false, false).label).toBe('file_copy');
    expect(chooseStrategy('wal_log', 18, 1 * MB, false).cloneFiles).toBe(false);
  });

  it('a server that clones copy-on-write by default gets FILE_COPY at any size, fsync on', () => {
    expect(chooseStrategy('auto', 18, 1 * MB, true, true, true)).toEqual({
      clause: ' STRATEGY FILE_COPY',
      cloneFiles: true,
      label: 'file_copy+reflink',
    });
    expect(chooseStrategy('auto', 18, 2000 * MB, false, true, true).label).toBe(
      'file_copy+reflink',
    );
    // The clone method failed on this server: back to the size rule, without the clone.
    expect(chooseStrategy('auto', 18, 1 * MB, true, false, true).label).toBe('wal_log');
    expect(chooseStrategy('auto', 18, 1 * MB, false, false, true).label).toBe('file_copy');
    // A configured strategy still wins; below 18 there is no clone method to trust.
    expect(chooseStrategy('wal_log', 18, 1 * MB, true, true, true).label).toBe('wal_log');
    expect(chooseStrategy('auto', 17, 1 * MB, true, true, true).label).toBe('wal_log');
  });

  it('a configured strategy wins over auto, whatever the size and fsync', () => {
    expect(chooseStrategy('wal_log', 16, 2000 * MB, true).label).toBe('wal_log');
    expect(chooseStrategy('wal_log', 16, 1 * MB, false).label).toBe('wal_log');
    expect(chooseStrategy('file_copy', 16, 1 * MB, true).label).toBe('file_copy');
  });
});
