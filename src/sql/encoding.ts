import { createRequire } from 'node:module';
import { decoderOf } from '../config/encodings.js';

/**
 * Decoding files written in a PostgreSQL client encoding, as psql's conversion on the server
 * would make of them. Which encodings dbfast reads, their aliases and their decoders are in
 * config/encodings.ts (the config checks `[repository] encoding` against them).
 */

/** Where decoding failed: the offset of the first bad byte, and the text decoded before it. */
export class InvalidBytes extends Error {
  readonly byteOffset: number;
  readonly before: string;
  /** The refused bytes. */
  readonly raw: Uint8Array;

  constructor(encoding: string, byteOffset: number, before: string, bytes: Uint8Array) {
    const hex = [...bytes].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    super(
      encoding === 'UTF8'
        ? `invalid byte sequence for encoding "UTF8": ${hex}`
        : `character with byte sequence ${hex} in encoding "${encoding}" has no equivalent in encoding "UTF8"`,
    );
    this.byteOffset = byteOffset;
    this.before = before;
    this.raw = bytes;
  }
}

/**
 * Decode `bytes[start, end)` written in `encoding` (a canonical name). Throws InvalidBytes,
 * with the offset of the first byte the server would refuse, as PostgreSQL does: an invalid
 * UTF-8 sequence, a NUL byte, or a byte with no Unicode equivalent in a single-byte encoding.
 */
export function decode(bytes: Buffer, start: number, end: number, encoding: string): string {
  const slice = bytes.subarray(start, end);
  const decoder = decoderOf(encoding);
  const text = decoder === 'utf8' ? slice.toString('utf8') : iconv().decode(slice, decoder);
  // The cheap test first: both failures show up as U+FFFD or NUL in the result.
  if (!text.includes('\uFFFD') && !text.includes('\0')) return text;
  const bad = decoder === 'utf8' ? invalidUtf8(slice) : invalidSingle(text);
  if (bad === undefined) return text;
  const before =
    decoder === 'utf8' ? slice.subarray(0, bad.at).toString('utf8') : text.slice(0, bad.at);
  throw new InvalidBytes(
    encoding,
    start + bad.at,
    before,
    slice.subarray(bad.at, bad.at + bad.length),
  );
}

let loaded: typeof import('iconv-lite') | undefined;

/**
 * iconv-lite, loaded on first use: nearly every file is UTF-8, and the CLI's start-up time is
 * part of every `dbfast clone` (a plain require, so the CLI bundle leaves it out).
 */
function iconv(): typeof import('iconv-lite') {
  loaded ??= createRequire(import.meta.url)('iconv-lite') as typeof import('iconv-lite');
  return loaded;
}

/** `bytes` in `encoding`, with U+FFFD for what does not decode (for headers, never sent). */
export function decodeLoosely(bytes: Buffer, encoding: string): string {
  const decoder = decoderOf(encoding);
  return decoder === 'utf8' ? bytes.toString('utf8') : iconv().decode(bytes, decoder);
}

/** A stream decoding `encoding` to text, or undefined for UTF-8 (sent as it is). */
export function decoderStream(encoding: string): NodeJS.ReadWriteStream | undefined {
  const decoder = decoderOf(encoding);
  return decoder === 'utf8' ? undefined : iconv().decodeStream(decoder);
}

/** For iconv's single-byte (and EUC) tables: a U+FFFD or NUL is a refused byte. */
function invalidSingle(text: string): { at: number; length: number } | undefined {
  const at = text.search(/[\uFFFD\0]/);
  // For the single-byte encodings one character is one byte; EUC errors point at the character.
  return at < 0 ? undefined : { at, length: 1 };
}

/** The first invalid UTF-8 sequence (or NUL byte) in `bytes`, as PostgreSQL's verifier finds it. */
export function invalidUtf8(bytes: Uint8Array): { at: number; length: number } | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b === 0) return { at: i, length: 1 };
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const n =
      b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return { at: i, length: Math.min(2, bytes.length - i) };
    const b1 = bytes[i + 1] as number;
    // Overlong forms, surrogates and code points above U+10FFFF are invalid (RFC 3629).
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    let ok = b1 >= lo && b1 <= hi;
    for (let k = 2; k < n && ok; k += 1) ok = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (!ok) return { at: i, length: Math.min(n, bytes.length - i) };
    i += n;
  }
  return undefined;
}
