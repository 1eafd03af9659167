import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { textCell } from './cells.ts';
import type { TableBuilder } from './data-table.ts';
import { ProfileError } from './profile-error.ts';

/**
 * Reads CSV (RFC 4180: comma-separated, `"` quoting, a header row first) into a table
 * builder, streaming. Every row must have as many fields as the header; blank lines are
 * skipped; a UTF-8 BOM is ignored.
 */
export async function readCsv(file: string, builder: TableBuilder): Promise<void> {
  const source = createReadStream(file);
  // Field counts are checked here, against the header, rather than by csv-parse (which
  // reports them before the header record reaches this loop).
  const parser = parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        readHeader(file, record, builder);
        header = true;
        continue;
      }
      if (record.length !== builder.columns.length) {
        throw new ProfileError(`${file} line ${info.lines}: malformed CSV: ${record.length} field${record.length === 1 ? '' : 's'}, but the header has ${builder.columns.length}`);
      }
      builder.addRow({ line: info.lines, cells: record.map(textCell) });
    }
  } catch (error) {
    throw describeCsvError(file, error);
  } finally {
    source.destroy();
  }
  if (!header) throw new ProfileError(`${file}: empty file (expected a header row, then data rows)`);
}

function readHeader(file: string, record: string[], builder: TableBuilder): void {
  record.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') throw new ProfileError(`${file} line 1: header field ${i + 1} is empty (every column needs a name)`);
    if (builder.hasColumn(name)) throw new ProfileError(`${file} line 1: column "${name}" appears twice in the header`);
    builder.column(name);
  });
}

function describeCsvError(file: string, error: unknown): Error {
  if (error instanceof ProfileError) return error;
  if (error instanceof CsvError) return new ProfileError(`${file}: malformed CSV: ${error.message}`);
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) return new ProfileError(`${file}: cannot be read (${code})`);
  return error as Error;
}
