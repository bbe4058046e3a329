import { createRequire } from 'node:module';

/**
 * PostgreSQL client encodings, as dbfast decodes files written in them. A file's bytes are
 * decoded with the encoding it declares (`SET client_encoding`, `\encoding`) and sent to the
 * server as UTF-8, as psql's conversion on the server would make of them.
 *
 * Only encodings whose multi-byte characters never contain an ASCII byte are supported: the
 * lexer finds statement ends in the raw bytes, which is right only for those. SJIS, BIG5,
 * GBK, UHC, GB18030, JOHAB and SHIFT_JIS_2004 can hide a `\` or `'` inside a character
 * (psql has special code for them); a file that declares one is an error before anything runs.
 */

/** Canonical PostgreSQL name -> iconv-lite name ('utf8': validated by dbfast itself). */
const DECODERS: Record<string, string> = {
  UTF8: 'utf8',
  // The server checks SQL_ASCII input against its own encoding (UTF-8 here): same result.
  SQL_ASCII: 'utf8',
  LATIN1: 'iso88591',
  LATIN2: 'iso88592',
  LATIN3: 'iso88593',
  LATIN4: 'iso88594',
  LATIN5: 'iso88599',
  LATIN6: 'iso885910',
  LATIN7: 'iso885913',
  LATIN8: 'iso885914',
  LATIN9: 'iso885915',
  LATIN10: 'iso885916',
  ISO_8859_5: 'iso88595',
  ISO_8859_6: 'iso88596',
  ISO_8859_7: 'iso88597',
  ISO_8859_8: 'iso88598',
  WIN1250: 'win1250',
  WIN1251: 'win1251',
  WIN1252: 'win1252',
  WIN1253: 'win1253',
  WIN1254: 'win1254',
  WIN1255: 'win1255',
  WIN1256: 'win1256',
  WIN1257: 'win1257',
  WIN1258: 'win1258',
  WIN866: 'cp866',
  WIN874: 'windows874',
  KOI8R: 'koi8r',
  KOI8U: 'koi8u',
  EUC_JP: 'eucjp',
  EUC_CN: 'gb2312',
  EUC_KR: 'euckr',
};

/** Encodings PostgreSQL knows that dbfast refuses (see the module comment). */
const UNSAFE = ['SJIS', 'SHIFT_JIS_2004', 'BIG5', 'GBK', 'UHC', 'GB18030', 'JOHAB'];

/** PostgreSQL's aliases (encnames.c), keyed by the name lower-cased without `-` and `_`. */
const ALIASES: Record<string, string> = {
  unicode: 'UTF8',
  utf8: 'UTF8',
  sqlascii: 'SQL_ASCII',
  iso88591: 'LATIN1',
  iso88592: 'LATIN2',
  iso88593: 'LATIN3',
  iso88594: 'LATIN4',
  iso88599: 'LATIN5',
  iso885910: 'LATIN6',
  iso885913: 'LATIN7',
  iso885914: 'LATIN8',
  iso885915: 'LATIN9',
  iso885916: 'LATIN10',
  iso88595: 'ISO_8859_5',
  iso88596: 'ISO_8859_6',
  iso88597: 'ISO_8859_7',
  iso88598: 'ISO_8859_8',
  win: 'WIN1251',
  alt: 'WIN866',
  koi8: 'KOI8R',
  tcvn: 'WIN1258',
  tcvn5712: 'WIN1258',
  vscii: 'WIN1258',
  abc: 'WIN1258',
  mskanji: 'SJIS',
  shiftjis: 'SJIS',
  shiftjis2004: 'SHIFT_JIS_2004',
  eucjis2004: 'EUC_JIS_2004',
};

/**
 * The canonical PostgreSQL name of `name` (`latin-1`, `ISO_8859_1`, `windows1252` …), or
 * undefined when it is not an encoding dbfast can decode. `unsafe` names one PostgreSQL
 * knows but dbfast cannot lex safely.
 */
export function canonicalEncoding(name: string): { name: string; unsafe?: boolean } | undefined {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const windows = /^windows(\d+)$/.exec(key);
  const canonical =
    ALIASES[key] ??
    (windows === null ? undefined : `WIN${windows[1]}`) ??
    Object.keys(DECODERS)
      .concat(UNSAFE)
      .find((n) => n.toLowerCase().replace(/_/g, '') === key);
  if (canonical === undefined) return undefined;
  if (UNSAFE.includes(canonical)) return { name: canonical, unsafe: true };
  return DECODERS[canonical] === undefined ? undefined : { name: canonical };
}

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
  const decoder = DECODERS[encoding] ?? 'utf8';
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
  const decoder = DECODERS[encoding] ?? 'utf8';
  return decoder === 'utf8' ? bytes.toString('utf8') : iconv().decode(bytes, decoder);
}

/** A stream decoding `encoding` to text, or undefined for UTF-8 (sent as it is). */
export function decoderStream(encoding: string): NodeJS.ReadWriteStream | undefined {
  const decoder = DECODERS[encoding] ?? 'utf8';
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
