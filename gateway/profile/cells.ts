/**
 * One value of the data sample as read, before it meets a model input: CSV fields are
 * strings, JSON lines give numbers and strings; `null` is missing. Missing tokens are
 * normalized to null when a value is read, so every later step sees one spelling.
 */
export type Cell = string | number | null;

/** Text read as missing (after trimming): empty, `NA`, `null`. Case-sensitive, as in R and pandas' defaults. */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'null'];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Non-finite spellings accepted as numbers (the protocol's JSON spelling): they profile as missing. */
const SPECIAL: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN], ['Infinity', Infinity], ['+Infinity', Infinity], ['-Infinity', -Infinity],
]);

/** A text value as a cell: a missing token becomes null, anything else stays the (untrimmed) text. */
export function textCell(text: string): Cell {
  return MISSING_TOKENS.includes(text.trim()) ? null : text;
}

/**
 * The number a cell holds: NaN for missing, undefined when it is not a number (decimal
 * notation with optional exponent, or NaN/±Infinity). `0x10`, `1_000` and `12abc` are not numbers.
 */
export function cellNumber(cell: Cell): number | undefined {
  if (cell === null) return Number.NaN;
  if (typeof cell === 'number') return cell;
  const text = cell.trim();
  if (DECIMAL.test(text)) return Number(text);
  return SPECIAL.get(text);
}

/** A cell for messages: strings quoted and cut at 40 characters. */
export function showCell(cell: Cell): string {
  if (typeof cell !== 'string') return String(cell);
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}
