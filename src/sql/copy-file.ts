import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { DbfastError, errorMessage, pgFields } from '../errors.js';
import { loadCopyFrom } from './copy-stream.js';
import { decode, InvalidBytes } from './encoding.js';
import type { Step } from './plan.js';
import { excerpt, lineColumnAt } from './position.js';

type CopyFileStep = Extract<Step, { kind: 'copy-file' }>;

/**
 * Run `\copy … from 'file'` as psql does: the file's contents go to the server through
 * COPY … FROM STDIN, read in the client encoding in force at the `\copy` (decoded here and
 * sent as UTF-8). Returns the rows copied. A missing file or a bad byte is reported at the
 * `\copy` line; a bad data line at that line of the data file.
 */
export async function copyFile(client: pg.Client, step: CopyFileStep): Promise<number> {
  const { meta, source } = step;
  const at = `${source.path}:${meta.line}:${meta.column}`;
  const { name } = step;
  let bytes: Buffer;
  try {
    bytes = await readFile(step.file);
  } catch (cause) {
    throw new DbfastError(
      'sql.copy_missing',
      `${at}: \\copy cannot read ${name}: ${(cause as NodeJS.ErrnoException).code ?? cause}.`,
      {
        hint: '\\copy paths are relative to the repository root.',
        location: {
          file: source.path,
          line: meta.line,
          column: meta.column,
          excerpt: excerpt(source.text, meta.line, meta.column),
        },
      },
    );
  }
  let text: string;
  try {
    text = decode(bytes, 0, bytes.length, step.encoding);
  } catch (error) {
    if (!(error instanceof InvalidBytes)) throw error;
    const { line, column } = lineColumnAt(error.before, error.before.length);
    throw new DbfastError(
      'sql.encoding',
      `${name}:${line}:${column}: ERROR: ${error.message} (read by \\copy at ${at})`,
      {
        hint: "Declare the data file's encoding before the \\copy (\\encoding LATIN1), or convert the file to UTF-8.",
      },
    );
  }
  try {
    const stream = client.query((await loadCopyFrom())(step.statement));
    await pipeline(Readable.from([Buffer.from(text)]), stream);
    return stream.rowCount;
  } catch (error) {
    const fields = pgFields(error);
    const line = Number(/^COPY [^,]+, line (\d+)/m.exec(fields?.where ?? '')?.[1] ?? 1);
    throw new DbfastError(
      'sql.failed',
      `${name}:${line}:1: ERROR: ${errorMessage(error)} (\\copy at ${at})`,
      {
        cause: error,
        location: { file: name, line, column: 1, excerpt: excerpt(text, line, 1) },
        ...(fields === undefined ? {} : { pg: fields }),
        ...(fields?.hint === undefined ? {} : { hint: fields.hint }),
      },
    );
  }
}
