import { run } from './run.js';

// Not awaited at the top level: the bundle is CommonJS (see scripts/bundle-cli.mjs). run()
// catches every error itself and sets the exit code.
void run(process.argv);
