import type { StatementSegment } from './lexer.js';
import type { SourceFile } from './plan.js';
import { isSignificant, tokens } from './tokens.js';

/**
 * Where the body of each function or procedure created during a run starts, so that an
 * error PostgreSQL reports as "PL/pgSQL function f(integer) line 3" can point at the line
 * in the file that defined f. The latest definition of a name wins (overloads share one).
 */
export interface FunctionBody {
  source: SourceFile;
  /** JS string index of the body's first character (just after its opening quote). */
  bodyStart: number;
}

const CREATE_ROUTINE = /^create\s+(or\s+replace\s+)?(function|procedure)\s/i;

export class FunctionIndex {
  #bodies = new Map<string, FunctionBody>();

  /** Remember the statement if it creates a function or procedure. Cheap for other statements. */
  register(source: SourceFile, statement: StatementSegment): void {
    if (!CREATE_ROUTINE.test(statement.text)) return;
    const found = routineBody(statement.text);
    if (found === undefined) return;
    this.#bodies.set(found.name, { source, bodyStart: statement.start + found.bodyStart });
  }

  /** The body of the function with this signature, as PostgreSQL prints it (`s.f(integer)`). */
  find(signature: string): FunctionBody | undefined {
    return this.#bodies.get(signatureName(signature));
  }
}

/** The routine's name (last part, normalised) and where its body starts in `text`. */
export function routineBody(text: string): { name: string; bodyStart: number } | undefined {
  const sig = [...tokens(text)].filter(isSignificant);
  const keyword = sig.findIndex((t) => /^(function|procedure)$/i.test(text.slice(t.start, t.end)));
  const paren = sig.findIndex((t) => text[t.start] === '(' && t.type === 'punct');
  const name = sig[paren - 1];
  if (keyword < 0 || paren <= keyword + 1 || name === undefined) return undefined;
  let depth = 0;
  let afterAs = false;
  for (const t of sig.slice(paren)) {
    const raw = text.slice(t.start, t.end);
    if (raw === '(') depth += 1;
    else if (raw === ')') depth -= 1;
    else if (depth === 0 && t.type === 'ident' && raw.toLowerCase() === 'as') afterAs = true;
    else if (afterAs && depth === 0 && (t.type === 'dollar' || t.type === 'string')) {
      const open = t.type === 'dollar' ? raw.indexOf('$', 1) + 1 : raw.indexOf("'") + 1;
      return { name: normalize(text.slice(name.start, name.end)), bodyStart: t.start + open };
    }
  }
  return undefined;
}

/** The unqualified name in a signature as PostgreSQL prints it: `s."Mixed"(integer)` -> Mixed. */
export function signatureName(signature: string): string {
  const sig = [...tokens(signature)].filter(isSignificant);
  const paren = sig.findIndex((t) => signature[t.start] === '(');
  const last = sig[(paren < 0 ? sig.length : paren) - 1];
  return last === undefined ? signature : normalize(signature.slice(last.start, last.end));
}

/** `"Mixed"` -> Mixed, `Plain` -> plain: how PostgreSQL stores the name. */
function normalize(name: string): string {
  const quoted = /^"(.*)"$/s.exec(name);
  return quoted === null ? name.toLowerCase() : (quoted[1] as string).replaceAll('""', '"');
}
