import { fp16BitsToNumber, numberToFp16Bits } from '../protocol/fp16.ts';
import type { DataType, TensorData } from '../../runtimes/tensor.ts';
import { cellNumber, showCell, type Cell } from './cells.ts';

/**
 * Data cells as a model input sees them. Two views of each value:
 * - the model value, what goes into the tensor (null: missing, the row is not run);
 * - the profile value, the model value as a JavaScript number or string. Floats are
 *   rounded to the input's precision first (5.1 → 5.099999904632568 for FP32), because the
 *   gateway bins the values of live FP32 tensors: with an edge at 5.1 in float64, a live
 *   5.1 would fall below it while the reference 5.1 fell above.
 */
export type ModelValue = number | bigint | string | null;
export type ProfileValue = number | string | null;
export type FeatureKind = 'numeric' | 'categorical';

const FLOATS: ReadonlySet<DataType> = new Set(['FP16', 'FP32', 'FP64']);
const INTEGER_RANGE: Partial<Record<DataType, readonly [number, number]>> = {
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 2 ** 32 - 1],
};
const BIG_RANGE: Partial<Record<DataType, readonly [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n], UINT64: [0n, 2n ** 64n - 1n],
};
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

export function isFloat(datatype: DataType): boolean {
  return FLOATS.has(datatype);
}

export function isInteger(datatype: DataType): boolean {
  return datatype in INTEGER_RANGE || datatype in BIG_RANGE;
}

/**
 * The kind a feature gets unless `--categorical`/`--numeric` say otherwise: floats are
 * numeric, BYTES and BOOL categorical, integers categorical when they are a whole tensor
 * (class ids, codes) and numeric as a column of a `[batch, F]` input (counts, amounts).
 */
export function defaultKind(datatype: DataType, wholeTensor = true): FeatureKind {
  if (isFloat(datatype)) return 'numeric';
  if (datatype === 'BYTES' || datatype === 'BOOL') return 'categorical';
  return wholeTensor ? 'categorical' : 'numeric';
}

/** A cell that cannot go into the tensor: the reason, for a message naming line and column. */
export class CellError extends Error {}

/** The model value of a cell for an input of `datatype`; throws CellError when it does not fit. */
export function modelValue(cell: Cell, datatype: DataType): ModelValue {
  if (cell === null) return null;
  if (datatype === 'BYTES') return typeof cell === 'number' ? String(cell) : cell;
  if (datatype === 'BOOL') {
    const text = typeof cell === 'string' ? cell.trim().toLowerCase() : cell;
    if (text === 1 || text === '1' || text === 'true') return 1;
    if (text === 0 || text === '0' || text === 'false') return 0;
    throw new CellError(`expected 0, 1, true or false, got ${showCell(cell)}`);
  }
  const n = cellNumber(cell);
  if (n === undefined) throw new CellError(`expected a number, got ${showCell(cell)}`);
  if (Number.isNaN(n)) return null;
  if (datatype === 'FP32') return Math.fround(n);
  if (datatype === 'FP16') return fp16BitsToNumber(numberToFp16Bits(n));
  if (datatype === 'FP64') return n;
  if (!Number.isInteger(n)) throw new CellError(`expected an integer, got ${showCell(cell)}`);
  const big = BIG_RANGE[datatype];
  if (big !== undefined) {
    // Integers past 2^53 keep their exact digits when written as text.
    const value = typeof cell === 'string' && INTEGER_TEXT.test(cell) ? BigInt(cell.trim()) : BigInt(n);
    if (value < big[0] || value > big[1]) throw new CellError(`${showCell(cell)} is out of range for ${datatype}`);
    return value;
  }
  const range = INTEGER_RANGE[datatype] as readonly [number, number];
  if (n < range[0] || n > range[1]) throw new CellError(`${showCell(cell)} is out of range for ${datatype}`);
  return n;
}

/** The profile value of a model value. */
export function profileValue(value: ModelValue): ProfileValue {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** A tensor data array of `length` elements for `datatype`, and a setter from model values. */
export function allocate(datatype: DataType, length: number): { data: TensorData; set: (index: number, value: ModelValue) => void } {
  switch (datatype) {
    case 'BYTES': {
      const data = new Array<string>(length).fill('');
      return { data, set: (i, v) => { data[i] = String(v); } };
    }
    case 'FP16': {
      const data = new Uint16Array(length);
      return { data, set: (i, v) => { data[i] = numberToFp16Bits(v as number); } };
    }
    case 'INT64':
    case 'UINT64': {
      const data = datatype === 'INT64' ? new BigInt64Array(length) : new BigUint64Array(length);
      return { data, set: (i, v) => { data[i] = v as bigint; } };
    }
    default: {
      const Constructor = {
        BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array,
        INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, FP32: Float32Array, FP64: Float64Array,
      }[datatype];
      const data = new Constructor(length);
      return { data, set: (i, v) => { data[i] = v as number; } };
    }
  }
}

/** Element `index` of an output tensor's data as a profile value (64-bit integers as numbers, FP16 decoded). */
export function readElement(data: TensorData, datatype: DataType, index: number): ProfileValue {
  const v = data[index];
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (datatype === 'FP16') return fp16BitsToNumber(v as number);
  return v;
}
