import type { StatementSegment } from './lexer.js';
import { checkedEncoding, MetaProblem, type metaAction } from './meta.js';
import { isOn, settingChanges } from './settings.js';

/**
 * What planning follows through a file as psql would learn it from the server: the client
 * encoding, standard_conforming_strings and the open `\if` blocks.
 */

/**
 * Follow a statement's changes to standard_conforming_strings and client_encoding. Either
 * ends the batch: the server parses a whole simple query before it runs any of it, so what
 * follows must be sent after the change took effect.
 */
export function settingsChanged(
  segment: StatementSegment,
  state: { encoding: string; scs: boolean },
  initialEncoding: string,
  fail: (error: unknown) => Error,
): { endsBatch: boolean; resetEncoding: boolean } {
  let endsBatch = false;
  let resetEncoding = false;
  for (const change of settingChanges(segment.text)) {
    endsBatch = true;
    if (change.name === 'standard_conforming_strings') {
      state.scs = isOn(change.value);
      continue;
    }
    try {
      state.encoding = change.value === undefined ? initialEncoding : checkedEncoding(change.value);
    } catch (error) {
      throw fail(error);
    }
    // The server now expects that encoding, but dbfast sends UTF-8: set it back.
    resetEncoding = change.value !== undefined && state.encoding !== 'UTF8';
  }
  return { endsBatch, resetEncoding };
}

/** Track `\if` / `\elif` / `\else` / `\endif`; throws MetaProblem for one out of place. */
export function conditional(
  action: ReturnType<typeof metaAction>,
  conds: { active: boolean; taken: boolean }[],
): void {
  const top = conds.at(-1);
  const outer = conds.slice(0, -1).every((c) => c.active);
  if (action.kind === 'if') {
    const live = conds.every((c) => c.active);
    conds.push({ active: live && action.value, taken: !live || action.value });
  } else if (action.kind === 'elif' || action.kind === 'else') {
    if (top === undefined) throw new MetaProblem(`\\${action.kind} without \\if.`);
    const value = action.kind === 'else' || (action.kind === 'elif' && action.value);
    top.active = outer && !top.taken && value;
    top.taken ||= value;
  } else if (action.kind === 'endif') {
    if (top === undefined) throw new MetaProblem('\\endif without \\if.');
    conds.pop();
  }
}
