import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { DbfastError, errorMessage, pgFields } from '../errors.js';
import { quoteIdent } from '../server/identifiers.js';
import { loadCopyFrom } from './copy-stream.js';
import { decodeLoosely, decoderStream } from './encoding.js';
import { excerpt } from './position.js';
import type { RepositoryFile } from './scan.js';

/**
 * Loading `.csv` files: `users.csv` fills table `users`, `app.users.csv` table `app.users`.
 * The header row names the columns. The file is streamed to the server with COPY … FROM
 * STDIN (FORMAT csv, HEADER true), never read whole into memory. Names are taken as written
 * (quoted), so `Users.csv` means the table "Users".
 */

/** The COPY statement for a CSV file, from its name and header row. */
export function csvCopyStatement(fileName: string, header: string[]): string {
  const table = basename(fileName).replace(/\.csv$/i, '');
  const parts = table.split('.');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new DbfastError(
      'sql.csv_name',
      `${fileName}: cannot tell the table from the file name.`,
      {
        hint: 'Name CSV files <table>.csv or <schema>.<table>.csv.',
      },
    );
  }
  if (header.length === 0 || header.some((h) => h === '')) {
    throw new DbfastError('sql.csv_header', `${fileName}: the first line must name the columns.`, {
      hint: 'Put a header row such as `id,name` at the top of the file.',
    });
  }
  const target = parts.map(quoteIdent).join('.');
  const columns = header.map(quoteIdent).join(', ');
  return `COPY ${target} (${columns}) FROM STDIN WITH (FORMAT csv, HEADER true)`;
}

/** The fields of the first CSV record of `text` (RFC 4180 quoting; a BOM is skipped). */
export function parseCsvHeader(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      break;
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields.length === 1 && fields[0] === '' ? [] : fields;
}

/** Copy a CSV file into its table on `client` (inside the caller's transaction). */
export async function loadCsv(
  client: pg.Client,
  file: RepositoryFile,
  encoding = 'UTF8',
): Promise<number> {
  const head = await readHead(file.absolutePath, encoding);
  const statement = csvCopyStatement(file.path, parseCsvHeader(head));
  try {
    const stream = client.query((await loadCopyFrom())(statement));
    // UTF-8 goes as it is (the server checks it); another encoding is converted on the way.
    const decoded = decoderStream(encoding);
    await (decoded === undefined
      ? pipeline(createReadStream(file.absolutePath), stream)
      : pipeline(createReadStream(file.absolutePath), decoded, stream));
    return stream.rowCount;
  } catch (error) {
    // COPY counts the header as line 1, like the file does.
    const fields = pgFields(error);
    const line = Number(/^COPY [^,]+, line (\d+)/m.exec(fields?.where ?? '')?.[1] ?? 1);
    const inHead = head.split('\n').length > line;
    throw new DbfastError('sql.failed', `${file.path}:${line}:1: ERROR: ${errorMessage(error)}`, {
      cause: error,
      location: {
        file: file.path,
        line,
        column: 1,
        ...(inHead ? { excerpt: excerpt(head, line, 1) } : {}),
      },
      ...(fields === undefined ? {} : { pg: fields }),
      ...(fields?.hint === undefined ? {} : { hint: fields.hint }),
    });
  }
}

/** The first 64 KiB of a file: enough for any header row. */
async function readHead(path: string, encoding: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    return encoding === 'UTF8' ? bytes.toString('utf8') : decodeLoosely(bytes, encoding);
  } finally {
    await handle.close();
  }
}
