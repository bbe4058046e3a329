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

/** The planner options a unit asks for (nothing for a plain repository file). */
export function unitPlanOptions(unit: Partial<MigrationUnit>): {
  prepare?: (bytes: Buffer) => Buffer;
  autocommit?: string;
  encoding?: string;
} {
  const masked = unit.keep !== undefined || unit.breakpoint !== undefined;
  // Presets read their files as UTF-8 (as the tools do); the masked text goes back as UTF-8,
  // one character for one character, so character offsets stay those of the file.
  const prepare = (bytes: Buffer): Buffer =>
    Buffer.from(maskText(bytes.toString('utf8'), unit), 'utf8');
  return {
    ...(masked ? { prepare } : {}),
    ...(unit.noTransaction === undefined ? {} : { autocommit: unit.noTransaction }),
    ...(unit.encoding === undefined ? {} : { encoding: unit.encoding }),
  };
}
