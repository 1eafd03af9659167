/**
 * Element conversion for request tensors: one tight loop per element kind that copies a
 * JSON array (one innermost row, or a whole flat `data` array) into typed storage.
 *
 * Accepted per datatype (anything else is refused with the reason):
 * - BOOL: true / false only (not 0/1: a client sending numbers most likely has the
 *   datatype wrong, and JSON has booleans);
 * - UINT8…INT32: integers within the type's range;
 * - INT64/UINT64: safe-integer numbers, bigints (json-body.ts turns larger literals into
 *   bigint) and decimal integer strings (the protobuf-JSON habit for 64-bit integers),
 *   all within range; a number beyond ±(2^53 − 1) is refused, as it may be inexact;
 * - FP16/FP32/FP64: numbers, plus the strings "NaN", "Infinity", "-Infinity" (what
 *   infer-response.ts writes for non-finite values); a finite number that would overflow to
 *   infinity in the target type (|x| ≥ 65520 for FP16, past float32's range for FP32) is
 *   refused rather than silently turned into Infinity;
 * - BYTES: strings.
 */
import type { DataType, TensorData } from '../../runtimes/tensor.ts';
import { DATATYPE_INFO } from './datatypes.ts';
import { FP16_POSITIVE_INFINITY, numberToFp16Bits } from './fp16.ts';

/** Called with the index (within `src`) of a refused element and the expectation; throws. */
export type ElementFailure = (index: number, expected: string) => never;

export type ElementWriter = (
  src: readonly unknown[], dst: TensorData, offset: number, fail: ElementFailure,
) => void;

const NON_FINITE: ReadonlyMap<unknown, number> = new Map([
  ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
]);
const DECIMAL_INTEGER = /^-?(?:0|[1-9]\d{0,19})$/;

function writeBool(src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void {
  const out = dst as Uint8Array;
  for (let j = 0; j < src.length; j++) {
    const v = src[j];
    if (v === true) out[off + j] = 1;
    else if (v === false) out[off + j] = 0;
    else fail(j, 'expected true or false for BOOL');
  }
}

function intWriter(datatype: DataType): ElementWriter {
  const { min, max } = DATATYPE_INFO[datatype] as { min: number; max: number };
  const expected = `expected an integer in [${min}, ${max}] for ${datatype}`;
  return (src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void => {
    const out = dst as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    for (let j = 0; j < src.length; j++) {
      const v = src[j];
      if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) out[off + j] = v;
      else fail(j, expected);
    }
  };
}

function int64Writer(datatype: DataType): ElementWriter {
  const { min, max } = DATATYPE_INFO[datatype] as { min: bigint; max: bigint };
  const expected = `expected an integer in [${min}, ${max}] for ${datatype}`;
  const inexact = `expected an exact integer for ${datatype}; write integers beyond ` +
    `±${Number.MAX_SAFE_INTEGER} as integer literals (or decimal strings)`;
  return (src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void => {
    const out = dst as BigInt64Array | BigUint64Array;
    for (let j = 0; j < src.length; j++) {
      const v = src[j];
      let b: bigint;
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) fail(j, Number.isInteger(v) ? inexact : expected);
        b = BigInt(v);
      } else if (typeof v === 'bigint') {
        b = v;
      } else if (typeof v === 'string' && DECIMAL_INTEGER.test(v)) {
        b = BigInt(v);
      } else {
        fail(j, expected);
      }
      if (b < min || b > max) fail(j, expected);
      out[off + j] = b;
    }
  };
}

/** The number an FP element denotes, or undefined if it is not one. */
function floatValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return NON_FINITE.get(v);
}

function writeFp16(src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void {
  const out = dst as Uint16Array;
  for (let j = 0; j < src.length; j++) {
    const v = src[j];
    const x = typeof v === 'number' ? v : floatValue(v);
    if (x === undefined) fail(j, 'expected a number for FP16');
    const bits = numberToFp16Bits(x);
    if ((bits & 0x7fff) === FP16_POSITIVE_INFINITY && x - x === 0) {
      fail(j, 'expected a number within FP16 range (|x| < 65520)');
    }
    out[off + j] = bits;
  }
}

function writeFp32(src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void {
  const out = dst as Float32Array;
  for (let j = 0; j < src.length; j++) {
    const v = src[j];
    const x = typeof v === 'number' ? v : floatValue(v);
    if (x === undefined) fail(j, 'expected a number for FP32');
    const f = Math.fround(x);
    if (f - f !== 0 && typeof v !== 'string') fail(j, 'expected a number within FP32 range');
    out[off + j] = f;
  }
}

function writeFp64(src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void {
  const out = dst as Float64Array;
  for (let j = 0; j < src.length; j++) {
    const v = src[j];
    const x = typeof v === 'number' ? v : floatValue(v);
    if (x === undefined) fail(j, 'expected a number for FP64');
    if (x - x !== 0 && typeof v !== 'string') fail(j, 'expected a number within FP64 range');
    out[off + j] = x;
  }
}

function writeBytes(src: readonly unknown[], dst: TensorData, off: number, fail: ElementFailure): void {
  const out = dst as string[];
  for (let j = 0; j < src.length; j++) {
    const v = src[j];
    if (typeof v === 'string') out[off + j] = v;
    else fail(j, 'expected a string for BYTES');
  }
}

const WRITERS: Readonly<Record<DataType, ElementWriter>> = {
  BOOL: writeBool,
  UINT8: intWriter('UINT8'),
  UINT16: intWriter('UINT16'),
  UINT32: intWriter('UINT32'),
  UINT64: int64Writer('UINT64'),
  INT8: intWriter('INT8'),
  INT16: intWriter('INT16'),
  INT32: intWriter('INT32'),
  INT64: int64Writer('INT64'),
  FP16: writeFp16,
  FP32: writeFp32,
  FP64: writeFp64,
  BYTES: writeBytes,
};

export function elementWriter(datatype: DataType): ElementWriter {
  return WRITERS[datatype];
}
