/**
 * The PostgreSQL client encodings dbfast reads files in: their names, aliases and decoders,
 * as plain data. They live in config because `[repository] encoding` is checked against them
 * when the config is resolved; sql/encoding.ts does the decoding. A file's bytes are decoded
 * with the encoding it declares (`SET client_encoding`, `\encoding`) and sent to the server
 * as UTF-8, as psql's conversion on the server would make of them.
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

/** The iconv-lite decoder for a canonical encoding name; 'utf8' (validated by dbfast itself) by default. */
export function decoderOf(encoding: string): string {
  return DECODERS[encoding] ?? 'utf8';
}
