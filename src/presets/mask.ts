import type { ExecutableFile } from '../sql/executor.js';
import type { MigrationUnit } from './types.js';

/**
 * Turns a unit's text into what runs: the parts outside its up-section become blanks (every
 * character but a newline becomes a space), and each statement breakpoint becomes a `;`
 * followed by blanks. Offsets, lines and columns are those of the file on disk, so an error
 * still points at the right place; nothing outside the up-section is lexed or sent.
 */
export function maskText(text: string, unit: Pick<MigrationUnit, 'keep' | 'breakpoint'>): string {
  const keep = unit.keep ?? [[0, text.length]];
  let out = '';
  let at = 0;
  for (const [start, end] of keep) {
    out += blank(text.slice(at, start)) + breakpoints(text.slice(start, end), unit.breakpoint);
    at = end;
  }
  return out + blank(text.slice(at));
}

/**
 * Only the text that runs (the kept ranges, breakpoints applied), for the fingerprint: an
 * edit outside them — a down-section growing or shrinking — does not change it.
 */
export function runText(text: string, unit: Pick<MigrationUnit, 'keep' | 'breakpoint'>): string[] {
  return (unit.keep ?? [[0, text.length]]).map(([start, end]) =>
    breakpoints(text.slice(start, end), unit.breakpoint),
  );
}

function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

function breakpoints(text: string, marker: string | undefined): string {
  if (marker === undefined || marker === '') return text;
  return text.split(marker).join(`;${' '.repeat(marker.length - 1)}`);
}

/**
 * A unit as the runner takes it: the repository file, and how to read it (its up-section
 * mask, its no-transaction reason, its own encoding). A plain repository file reads as is.
 */
export function executableFile(unit: MigrationUnit): ExecutableFile {
  const masked = unit.keep !== undefined || unit.breakpoint !== undefined;
  // Presets read their files as UTF-8 (as the tools do); the masked text goes back as UTF-8,
  // one character for one character, so character offsets stay those of the file.
  const prepare = (bytes: Buffer): Buffer =>
    Buffer.from(maskText(bytes.toString('utf8'), unit), 'utf8');
  const read = {
    ...(masked ? { prepare } : {}),
    ...(unit.noTransaction === undefined ? {} : { autocommit: unit.noTransaction }),
    ...(unit.encoding === undefined ? {} : { encoding: unit.encoding }),
  };
  const file = { path: unit.path, absolutePath: unit.absolutePath, kind: unit.kind };
  return Object.keys(read).length === 0 ? file : { ...file, read };
}
