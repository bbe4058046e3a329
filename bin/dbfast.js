#!/usr/bin/env node
// Launcher: everything lives in the built, bundled CLI (dist/cli.mjs, see scripts/bundle-cli.mjs).
import module from 'node:module';

// Node >= 22.1: keep V8's compiled code of the bundle on disk (in the OS temp folder), so
// that later starts skip parsing and compiling ~570 kB of JavaScript. Absent on Node 20,
// where this line does nothing. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
await import('../dist/cli.mjs');
