#!/usr/bin/env node
// Launcher: everything lives in the built, bundled CLI (dist/cli.cjs, see scripts/bundle-cli.mjs).
//
// Compiling the ~850 kB bundle is most of what dbfast adds to node's own start-up, so V8's
// compiled code is kept on disk and reused: by Node's module compile cache where it exists
// (Node >= 22.1), else (Node 20) by this file, with V8's code cache for a script. Either way
// the cache lives in the OS temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns both off.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));

if (module.enableCompileCache !== undefined) {
  module.enableCompileCache();
  module.createRequire(import.meta.url)(bundle);
} else {
  runWithCodeCache(bundle);
}

/**
 * Run the CommonJS bundle as Node's own loader would (same wrapper, same require), compiled
 * from V8's code cache when a valid one exists. Without one (first run, a new build or a new
 * Node), the run goes on uncached and, if it succeeds, writes the cache as it exits, with the
 * functions this command compiled. V8 itself rejects a cache made by another V8 or for other
 * source; the file name holds the bundle's path, size and mtime, so a rebuild starts afresh.
 */
function runWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const cache = cacheFile(file);
  let cachedData;
  if (cache !== undefined) {
    try {
      cachedData = readFileSync(cache.path);
    } catch {
      // No cache yet: written at exit.
    }
  }
  // Node's CommonJS wrapper, plus the import() the bundle uses for packages (a script from
  // the code cache has none of its own: see scripts/bundle-cli.mjs).
  const wrapped = `(function (exports, require, module, __filename, __dirname, __dbfastImport) { ${source}\n});`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // Only after a command that worked: a mistyped command must not leave a cache behind.
    process.once('exit', (code) => {
      if (code === 0) writeCache(cache, script);
    });
  }
  const exports = {};
  const cjsModule = { exports, filename: file, id: file, loaded: false };
  script.runInThisContext().call(
    exports,
    exports,
    module.createRequire(file),
    cjsModule,
    file,
    dirname(file),
    (specifier) =>
      // Packages resolve from here as from dist/: the same node_modules above both folders.
      import(specifier),
  );
}

/** Where the code cache of this bundle lives, or undefined when it must not be used. */
function cacheFile(file) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    const dir = join(tmpdir(), `dbfast-compile-cache-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Compiled code from a folder someone else could write to would run as this user:
    // only a folder of our own that nobody else can write is trusted.
    const folder = lstatSync(dir);
    const mine = process.getuid === undefined || folder.uid === process.getuid();
    if (!folder.isDirectory() || !mine || (folder.mode & 0o022) !== 0) return undefined;
    const { size, mtimeMs } = statSync(file);
    const bundleKey = hashOf(file);
    const build = `${bundleKey}-${size}-${Math.trunc(mtimeMs)}-${process.version}-`;
    const name = `${build}${commandOf(process.argv.slice(2))}.cache`;
    return { dir, bundleKey, build, path: join(dir, name) };
  } catch {
    return undefined;
  }
}

/**
 * The command these arguments run (its name, after the global options), else "other". Each
 * command gets its own cache: it holds the functions that command compiled, so `dbfast clone`
 * does not run on the cache a `dbfast --version` left, which has little of clone's code.
 */
function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-c' || arg === '--config' || arg === '--database-url') i++;
    else if (!arg.startsWith('-')) return /^[a-z][a-z-]{0,20}$/.test(arg) ? arg : 'other';
  }
  return 'other';
}

/** A short hash of the bundle's path (FNV-1a: node:crypto would cost more than it saves). */
function hashOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Write the cache atomically (32 clones may start at once); drop those of older builds. */
function writeCache(cache, script) {
  try {
    const partial = `${cache.path}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    chmodSync(partial, 0o600);
    renameSync(partial, cache.path);
    for (const name of readdirSync(cache.dir)) {
      const old = join(cache.dir, name);
      const stale = name.startsWith(`${cache.bundleKey}-`) && !name.startsWith(cache.build);
      if (stale && name.endsWith('.cache')) {
        unlinkSync(old);
      }
    }
  } catch {
    // A cache that cannot be written only costs the next start its compile time.
  }
}
