import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

// Every name src/index.ts exports is a semver promise. This list makes each new export (or a
// removed one) a deliberate change: update test/api/exports.txt (values as `name`, types as
// `type Name`) and the README's "Library API" section in the same commit.

const read = (path: string): Promise<string> => readFile(new URL(path, import.meta.url), 'utf8');

/** The names of `export { … } from` / `export type { … } from` statements, types prefixed. */
function reExports(source: string): string[] {
  const names: string[] = [];
  for (const [, typeOnly, body] of source.matchAll(/export (type )?\{([^}]*)\} from '[^']+';/g)) {
    for (const item of (body ?? '').split(',').map((s) => s.trim())) {
      if (item === '') continue;
      const isType = typeOnly !== undefined || item.startsWith('type ');
      names.push(`${isType ? 'type ' : ''}${item.replace(/^type /, '')}`);
    }
  }
  return names;
}

/** The README from "## Library API" up to the next second-level heading. */
function librarySection(readme: string): string {
  const start = readme.indexOf('\n## Library API\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start, 'README has a "## Library API" section').toBeGreaterThan(-1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('the public API', () => {
  it('exports exactly the names in test/api/exports.txt', async () => {
    const listed = (await read('./exports.txt')).split('\n').filter((line) => line.length > 0);
    const source = await read('../../src/index.ts');
    // Only re-exports: a declaration in index.ts would escape this list's type check.
    const statements = source
      .replace(/\/\*\*[\s\S]*?\*\//g, '')
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const statement of statements) expect(statement).toMatch(/^export (type )?\{[^}]*\} from/);
    const names = reExports(source);
    expect([...names].sort()).toEqual(listed);
    // The value exports the module really has at run time are the listed non-type names.
    expect(Object.keys(api).sort()).toEqual(listed.filter((n) => !n.startsWith('type ')));
  });

  it('documents every export in the README "Library API" section', async () => {
    const section = librarySection(await read('../../README.md'));
    const names = reExports(await read('../../src/index.ts')).map((n) => n.replace(/^type /, ''));
    // Named in code: `name` or `name(…)`.
    const missing = names.filter((name) => !new RegExp(`\`${name}[\`(]`).test(section));
    expect(missing).toEqual([]);
    // …and the section's table plus its "Types:" list are exactly the exports.
    const table = [...section.matchAll(/^\| `(\w+)/gm)].map((m) => m[1]);
    const types = section.match(/^Types: ([\s\S]*?)\.\n/m)?.[1] ?? '';
    const claimed = [...table, ...[...types.matchAll(/`(\w+)`/g)].map((m) => m[1])];
    expect([...claimed].sort()).toEqual([...names].sort());
  });
});
