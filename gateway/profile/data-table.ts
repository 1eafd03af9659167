import { stat } from 'node:fs/promises';
import path from 'node:path';
import { cellNumber, type Cell } from './cells.ts';
import { ProfileError } from './profile-error.ts';
import { readCsv } from './read-csv.ts';
import { readJsonLines } from './read-jsonl.ts';
import { Reservoir } from './reservoir.ts';

/**
 * A sample of tabular data read from a file (CSV or JSON lines): the columns in file order
 * and at most `maxRows` rows drawn uniformly from the whole file. While reading, every row
 * (sampled or not) is checked, so a bad value anywhere is reported with its line.
 */
export type DataFormat = 'csv' | 'jsonl';
export const DATA_FORMATS: readonly DataFormat[] = ['csv', 'jsonl'];

export interface DataRow {
  /** 1-based line of the file where the row ends (CSV fields may span lines). */
  line: number;
  /** cells[i] belongs to columns[i]; a JSON line without a key has a shorter or holed array (missing). */
  cells: Cell[];
}

/** Where a column first holds something that is not a number / not an integer, over the whole file. */
export interface ColumnScan {
  nonNumeric?: { line: number; cell: Cell } | undefined;
  nonInteger?: { line: number; cell: Cell } | undefined;
}

export interface DataTable {
  /** The file as the user named it, for messages. */
  file: string;
  format: DataFormat;
  columns: string[];
  /** The sample, in file order. */
  rows: DataRow[];
  /** Data rows in the file (≥ rows.length). */
  rowsRead: number;
  /** One per column. */
  scans: ColumnScan[];
}

export const DEFAULT_MAX_ROWS = 100_000;

/** Collects the rows a reader parses: sampling and per-column scans, format-agnostic. */
export class TableBuilder {
  readonly columns: string[] = [];
  readonly scans: ColumnScan[] = [];
  private readonly index = new Map<string, number>();
  private readonly sample: Reservoir<DataRow>;

  constructor(readonly file: string, readonly format: DataFormat, maxRows: number) {
    this.sample = new Reservoir(maxRows);
  }

  /** Index of a column, added at the end when new. */
  column(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.columns.length;
      this.columns.push(name);
      this.scans.push({});
      this.index.set(name, i);
    }
    return i;
  }

  hasColumn(name: string): boolean {
    return this.index.has(name);
  }

  addRow(row: DataRow): void {
    row.cells.forEach((cell, i) => {
      if (cell === null || cell === undefined) return;
      const scan = this.scans[i] as ColumnScan;
      if (scan.nonNumeric !== undefined) return;
      const value = cellNumber(cell);
      if (value === undefined) scan.nonNumeric = { line: row.line, cell };
      else if (scan.nonInteger === undefined && Number.isFinite(value) && !Number.isInteger(value)) scan.nonInteger = { line: row.line, cell };
    });
    this.sample.offer(row);
  }

  finish(): DataTable {
    if (this.sample.offered === 0) {
      throw new ProfileError(`${this.file}: no data rows${this.format === 'csv' ? ' (only a header)' : ''}`);
    }
    const rows = this.sample.items().slice().sort((a, b) => a.line - b.line);
    return { file: this.file, format: this.format, columns: this.columns, rows, rowsRead: this.sample.offered, scans: this.scans };
  }
}

/** The format of a data file from its extension: .csv → csv; .jsonl, .ndjson → jsonl. */
export function formatFromExtension(file: string): DataFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

export interface ReadOptions {
  format?: DataFormat | undefined;
  maxRows?: number | undefined;
}

export async function readDataTable(file: string, options: ReadOptions = {}): Promise<DataTable> {
  const format = options.format ?? formatFromExtension(file);
  if (format === undefined) {
    throw new ProfileError(`${file}: cannot tell the format from the extension (.csv, .jsonl or .ndjson); give --format csv|jsonl`);
  }
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new ProfileError(`${file}: no such file`);
  }
  if (!info.isFile()) throw new ProfileError(`${file}: not a file`);
  const builder = new TableBuilder(file, format, options.maxRows ?? DEFAULT_MAX_ROWS);
  if (format === 'csv') await readCsv(file, builder);
  else await readJsonLines(file, builder);
  return builder.finish();
}
