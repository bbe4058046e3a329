import { describe, expect, it } from 'vitest';
import { compareFlywayVersions, flywayChecksum } from '../../src/presets/flyway.js';
import { maskText, runText } from '../../src/presets/mask.js';
import { parsePlan } from '../../src/presets/sqitch-plan.js';

describe('preset helpers (pure)', () => {
  it('maskText blanks what does not run and keeps every offset and line', () => {
    const text = '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n';
    const up = text.indexOf('CREATE');
    const down = text.indexOf('-- +goose Down');
    const masked = maskText(text, { keep: [[up, down]] });
    expect(masked).toHaveLength(text.length);
    expect(masked.split('\n')).toHaveLength(text.split('\n').length);
    expect(masked.slice(up, down)).toBe(text.slice(up, down));
    expect(masked.slice(down).trim()).toBe('');
    expect(runText(text, { keep: [[up, down]] })).toEqual(['CREATE TABLE a (id int);\n']);
  });

  it('a statement breakpoint becomes a statement end of the same length', () => {
    const text = 'CREATE TABLE a (id int)\n--> statement-breakpoint\nCREATE TABLE b (id int);';
    const masked = maskText(text, { breakpoint: '--> statement-breakpoint' });
    expect(masked).toHaveLength(text.length);
    expect(masked).toContain('CREATE TABLE a (id int)\n;');
  });

  it("Flyway's checksum is a signed CRC32 of the lines without their breaks", () => {
    expect(flywayChecksum('abc')).toBe(0x352441c2);
    expect(flywayChecksum('a\r\nb\n')).toBe(flywayChecksum('ab'));
    expect(flywayChecksum('\uFEFFab')).toBe(flywayChecksum('ab'));
    expect(flywayChecksum('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
    expect(flywayChecksum('123456789')).toBe(0xcbf43926 | 0);
  });

  it('Flyway versions compare part by part as numbers', () => {
    expect(['1.10', '2', '1.2', '1', '1.1.1'].sort(compareFlywayVersions)).toEqual([
      '1',
      '1.1.1',
      '1.2',
      '1.10',
      '2',
    ]);
  });

  it('a sqitch plan: order, tags naming reworked scripts, comments and pragmas skipped', () => {
    const plan = `%syntax-version=1.0.0
%project=p
# a comment line
a 2024-01-01T00:00:00Z A <a@x> # note
+b [a] 2024-01-01T00:00:00Z A <a@x>
@v1 2024-01-02T00:00:00Z A <a@x>
a [a@v1] 2024-01-03T00:00:00Z A <a@x>
`;
    const parsed = parsePlan(plan);
    expect(parsed.project).toBe('p');
    expect(
      parsed.changes.map(({ name, line, tag, requires, note }) => ({
        name,
        line,
        tag,
        requires,
        note,
      })),
    ).toEqual([
      { name: 'a', line: 4, tag: 'v1', requires: [], note: 'note' },
      { name: 'b', line: 5, tag: undefined, requires: ['a'], note: '' },
      { name: 'a', line: 7, tag: undefined, requires: ['a@v1'], note: '' },
    ]);
    expect(parsed.changes[1]?.tags.map((t) => t.name)).toEqual(['v1']);
    expect(() =>
      parsePlan('a 2024-01-01T00:00:00Z A <a@x>\na 2024-01-01T00:00:00Z A <a@x>\n'),
    ).toThrow(/without a tag/);
    expect(() => parsePlan('a [b\n')).toThrow(/is not a change or tag line/);
  });
});
