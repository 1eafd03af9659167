import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { textCell, type Cell } from './cells.ts';
import type { TableBuilder } from './data-table.ts';
import { ProfileError } from './profile-error.ts';

/**
 * Reads JSON lines (one object per line, `{"column": value, …}`) into a table builder,
 * streaming. Columns are the keys in order of first appearance; a key absent from a line
 * is missing there, as is `null`. Values must be numbers, strings or null (strings go
 * through the same missing tokens as CSV text); blank lines are skipped.
 */
export async function readJsonLines(file: string, builder: TableBuilder): Promise<void> {
  const source = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
      if (trimmed === '') continue;
      builder.addRow({ line, cells: parseLine(file, line, trimmed, builder) });
    }
  } catch (error) {
    if (error instanceof ProfileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw code !== undefined ? new ProfileError(`${file}: cannot be read (${code})`) : error;
  } finally {
    lines.close();
    source.destroy();
  }
  if (line === 0) {
    throw new ProfileError(`${file}: empty file (expected one JSON object per line)`);
  }
}

function parseLine(file: string, line: number, text: string, builder: TableBuilder): Cell[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProfileError(`${file} line ${line}: malformed JSON line: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ProfileError(`${file} line ${line}: expected a JSON object ({"column": value, …}), got ${got}`);
  }
  const cells: Cell[] = [];
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const index = builder.column(key);
    while (cells.length < index) cells.push(null);
    cells[index] = toCell(file, line, key, raw);
  }
  return cells;
}

function toCell(file: string, line: number, key: string, raw: unknown): Cell {
  if (raw === null) return null;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') return textCell(raw);
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  const got = Array.isArray(raw) ? 'an array' : 'an object';
  throw new ProfileError(`${file} line ${line}, column "${key}": expected a number, a string or null, got ${got}`);
}
