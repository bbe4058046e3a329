// Empties dist/ before a build, so that files of removed sources (and source maps of older
// builds) never end up in the package.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
