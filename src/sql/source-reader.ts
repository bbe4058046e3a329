import { decode, InvalidBytes } from './encoding.js';
import { lex, type Segment } from './lexer.js';
import { codePointsBetween } from './position.js';

/**
 * Reads a SQL file's bytes segment by segment, decoding each with the encoding in force at
 * that point of the file, as psql does when a file says `SET client_encoding = 'LATIN1'`
 * half-way through.
 *
 * The lexer runs on the raw bytes seen as Latin-1 (one character per byte). For the
 * encodings dbfast accepts (see encoding.ts) every byte of a multi-byte character is
 * >= 0x80, so statement ends, quotes and comments fall on the same bytes as in the decoded
 * text. Each segment is then decoded and handed out with offsets, line and column in the
 * decoded text, which is what the executor sends and what error positions count in.
 */
export class SourceReader {
  readonly #bytes: Buffer;
  readonly #raw: string;
  #segments: Segment[];
  #index = 0;
  readonly #parts: string[] = [];
  #length = 0;
  #line = 1;
  #column = 1;

  /** `bytes` without a UTF-8 byte order mark (psql would send it; every editor hides it). */
  constructor(bytes: Buffer, standardConformingStrings: boolean) {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    this.#bytes = bom ? bytes.subarray(3) : bytes;
    this.#raw = this.#bytes.toString('latin1');
    this.#segments = lex(this.#raw, { standardConformingStrings });
  }

  /** The decoded text read so far (all of it once `next` returned undefined). */
  get text(): string {
    if (this.#parts.length > 1) this.#parts.splice(0, this.#parts.length, this.#parts.join(''));
    return this.#parts[0] ?? '';
  }

  /**
   * Read again from the current position with another standard_conforming_strings (an
   * included file changed it): the segments already handed out stay as they were.
   */
  relex(standardConformingStrings: boolean): void {
    const done = this.#segments[this.#index - 1]?.end ?? 0;
    this.#segments = lex(this.#raw, { standardConformingStrings, from: done });
    this.#index = 0;
  }

  /**
   * The next segment decoded with `encoding` (a canonical name). Throws InvalidBytes, whose
   * `before` is the whole decoded text before the bad byte (for its line and column).
   */
  next(encoding: string): Segment | undefined {
    const raw = this.#segments[this.#index];
    if (raw === undefined) return undefined;
    this.#index += 1;
    const piece = (from: number, to: number): string => {
      try {
        return decode(this.#bytes, from, to, encoding);
      } catch (error) {
        if (!(error instanceof InvalidBytes)) throw error;
        const before = this.text + decode(this.#bytes, raw.start, from, encoding) + error.before;
        throw new InvalidBytes(encoding, error.byteOffset, before, error.raw);
      }
    };
    const start = this.#length;
    const text = piece(raw.start, raw.end);
    const at = { start, end: start + text.length, line: this.#line, column: this.#column };
    const segment: Segment = { ...raw, text, ...at };
    if (raw.kind === 'copy' && segment.kind === 'copy') {
      segment.statement = piece(raw.start, raw.start + raw.statement.length);
      const head = piece(raw.start, raw.dataStart).length;
      segment.dataStart = start + head;
      // The segment's text ends with the data and then its `\.` line, when it has one.
      segment.data = text.slice(head, raw.terminated ? text.length - 2 : text.length);
    }
    this.#advance(text);
    return segment;
  }

  #advance(text: string): void {
    this.#parts.push(text);
    this.#length += text.length;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.#column += codePointsBetween(text, 0, text.length);
      return;
    }
    let last = nl;
    while (nl >= 0) {
      this.#line += 1;
      last = nl;
      nl = text.indexOf('\n', nl + 1);
    }
    this.#column = codePointsBetween(text, last + 1, text.length) + 1;
  }
}
