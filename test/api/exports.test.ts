import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

// Every value src/index.ts exports is a semver promise. This list makes each new export (or
// a removed one) a deliberate change: update test/api/exports.txt in the same commit, and
// the README where the export is documented. (Type-only exports do not exist at run time and
// are not listed.)
describe('the public API', () => {
  it('exports exactly the values in test/api/exports.txt', async () => {
    const listed = (await readFile(new URL('./exports.txt', import.meta.url), 'utf8'))
      .split('\n')
      .filter((line) => line.length > 0);
    expect(Object.keys(api).sort()).toEqual(listed);
  });
});
