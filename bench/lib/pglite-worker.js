import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadIntoPglite, rowCounts } from './pglite.js';

/**
 * PGlite in its own process, driven by the bench over IPC (see lib/pglite.js for why). One
 * message, one answer: { op: 'load', files } once, then 'clone' / 'loadDataDir' per round
 * (each: a fresh database, one probe query, closed), 'dump' to write the data directory to
 * a file, 'stats' for the peak memory.
 */
let PGlite;
let base;
let dump;

async function handle(message) {
  switch (message.op) {
    case 'load': {
      ({ PGlite } = await import('@electric-sql/pglite'));
      const started = performance.now();
      const loaded = await loadIntoPglite(message.files, { PGlite });
      const loadMs = performance.now() - started;
      base = loaded.db;
      const dumped = performance.now();
      dump = await base.dumpDataDir('none');
      return {
        loadMs,
        dumpMs: performance.now() - dumped,
        dumpBytes: dump.size,
        rewrites: loaded.rewrites,
        counts: await rowCounts((sql) => base.query(sql)),
      };
    }
    case 'clone': {
      const db = await base.clone();
      await db.query(message.probe);
      await db.close();
      return {};
    }
    case 'loadDataDir': {
      const db = await PGlite.create({ loadDataDir: dump });
      await db.query(message.probe);
      await db.close();
      return {};
    }
    case 'dump':
      await writeFile(message.path, Buffer.from(await dump.arrayBuffer()));
      return {};
    case 'stats':
      // maxRSS is in kilobytes.
      return { maxRssMb: process.resourceUsage().maxRSS / 1024 };
    default:
      throw new Error(`unknown op ${message.op}`);
  }
}

process.on('message', (message) => {
  handle(message).then(
    (result) => process.send({ id: message.id, ok: true, result }),
    (error) => process.send({ id: message.id, ok: false, error: String(error?.message ?? error) }),
  );
});
