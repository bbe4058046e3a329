// The internals the scenarios set up and measure with, from the built dist/ (shipped, but
// outside package.json "exports": not part of the public API). bench/run.js merges them into
// `ctx.lib` beside dist/index.js.

export { drainPool, fillPool, poolStatus } from '../../dist/clone/pool.js';
export { refillLockPath } from '../../dist/clone/refill.js';
export { chooseStrategy } from '../../dist/clone/strategy.js';
export { connectionUrl } from '../../dist/config/url.js';
export { deployTools } from '../../dist/deploy/tools.js';
export { applyRepository } from '../../dist/presets/apply.js';
export { databaseIdent, quoteIdent } from '../../dist/server/identifiers.js';
export { serverInfo } from '../../dist/server/info.js';
export { findPgTool } from '../../dist/server/pg-tools.js';
export { stopServer } from '../../dist/services/server-control.js';
export { prepareSnapshot } from '../../dist/snapshot/save.js';
export { scanRepository } from '../../dist/sql/scan.js';
