/**
 * The KServe v2 datatypes as the codec sees them: storage (typed-array constructor),
 * element byte size and, for integer types, the value range. (The runtime's own element
 * types are mapped in runtimes/onnx-types.ts.)
 *
 * Storage follows runtimes/tensor.ts: BOOL is a Uint8Array of 0/1, FP16 a Uint16Array of
 * half-precision bit patterns, INT64/UINT64 BigInt64Array/BigUint64Array, BYTES string[].
 */
import type { DataType, NumericArray, TensorData } from '../../runtimes/tensor.ts';

export interface NumericArrayConstructor {
  new (length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/**
 * How the codec reads and writes one element:
 * - 'bool': JSON true/false, stored 0/1;
 * - 'int': JSON integer within [min, max] (8/16/32-bit);
 * - 'int64': exact integer within [min, max] as bigint (64-bit);
 * - 'fp16': JSON number stored as half bits;
 * - 'float': JSON number (FP32 / FP64);
 * - 'bytes': JSON string.
 */
export type ElementKind = 'bool' | 'int' | 'int64' | 'fp16' | 'float' | 'bytes';

export interface DataTypeInfo {
  readonly datatype: DataType;
  readonly kind: ElementKind;
  /** Bytes per element; undefined for BYTES (variable length). */
  readonly byteSize: number | undefined;
  /** Typed-array storage; undefined for BYTES (string[]). */
  readonly arrayType: NumericArrayConstructor | undefined;
  /** Inclusive range of an integer type ('int': number, 'int64': bigint); undefined otherwise. */
  readonly min: number | bigint | undefined;
  readonly max: number | bigint | undefined;
}

function info(
  datatype: DataType,
  kind: ElementKind,
  arrayType: NumericArrayConstructor | undefined,
  min?: number | bigint,
  max?: number | bigint,
): DataTypeInfo {
  return Object.freeze({
    datatype, kind, arrayType, min, max,
    byteSize: arrayType?.BYTES_PER_ELEMENT,
  });
}

export const DATATYPE_INFO: Readonly<Record<DataType, DataTypeInfo>> = Object.freeze({
  BOOL: info('BOOL', 'bool', Uint8Array),
  UINT8: info('UINT8', 'int', Uint8Array, 0, 0xff),
  UINT16: info('UINT16', 'int', Uint16Array, 0, 0xffff),
  UINT32: info('UINT32', 'int', Uint32Array, 0, 0xffff_ffff),
  UINT64: info('UINT64', 'int64', BigUint64Array, 0n, 0xffff_ffff_ffff_ffffn),
  INT8: info('INT8', 'int', Int8Array, -0x80, 0x7f),
  INT16: info('INT16', 'int', Int16Array, -0x8000, 0x7fff),
  INT32: info('INT32', 'int', Int32Array, -0x8000_0000, 0x7fff_ffff),
  INT64: info('INT64', 'int64', BigInt64Array, -0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn),
  FP16: info('FP16', 'fp16', Uint16Array),
  FP32: info('FP32', 'float', Float32Array),
  FP64: info('FP64', 'float', Float64Array),
  BYTES: info('BYTES', 'bytes', undefined),
});

/** Bytes per element; undefined for BYTES, whose elements have variable length. */
export function byteSizeOf(datatype: DataType): number | undefined {
  return DATATYPE_INFO[datatype].byteSize;
}

/**
 * Whether `value` is an integer within the range of `datatype` (false for non-integer
 * types). Numbers must be safe integers for INT64/UINT64: beyond ±(2^53 − 1) a number may
 * already have lost precision.
 */
export function isInRange(datatype: DataType, value: number | bigint): boolean {
  const i = DATATYPE_INFO[datatype];
  if (i.kind === 'int') {
    return typeof value === 'number'
      ? Number.isInteger(value) && value >= (i.min as number) && value <= (i.max as number)
      : value >= BigInt(i.min as number) && value <= BigInt(i.max as number);
  }
  if (i.kind === 'int64') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) return false;
    const v = BigInt(value);
    return v >= (i.min as bigint) && v <= (i.max as bigint);
  }
  return false;
}

/** A zero-filled storage of `length` elements (string[] of '' for BYTES). */
export function allocateTensorData(datatype: DataType, length: number): TensorData {
  const ctor = DATATYPE_INFO[datatype].arrayType;
  return ctor === undefined ? new Array<string>(length).fill('') : new ctor(length);
}

/** Whether `data` has the storage `datatype` prescribes. */
export function hasStorageOf(datatype: DataType, data: TensorData): boolean {
  const ctor = DATATYPE_INFO[datatype].arrayType;
  return ctor === undefined ? Array.isArray(data) : data instanceof ctor;
}
