/**
 * The tensor shape shared by the protocol layer, the scheduler and the runtimes.
 *
 * Datatypes use the KServe v2 names. Storage is the typed array ORT consumes
 * directly, so a decoded request tensor is handed to the runtime without another copy:
 * - BOOL is a Uint8Array of 0/1;
 * - FP16 is a Uint16Array of IEEE-754 half-precision bit patterns;
 * - INT64/UINT64 are BigInt64Array/BigUint64Array (no precision loss);
 * - BYTES is an array of strings (UTF-8 text; ORT's string tensors).
 *
 * `shape` is concrete (no -1); `data.length` equals the product of `shape`.
 */
export const DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64',
  'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
] as const;

export type DataType = (typeof DATATYPES)[number];

export type NumericArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

export type TensorData = NumericArray | string[];

export interface Tensor {
  datatype: DataType;
  shape: number[];
  data: TensorData;
}

export type NamedTensors = Record<string, Tensor>;

/** A declared tensor: shape entries of -1 are variable. */
export interface TensorSpec {
  name: string;
  datatype: DataType;
  shape: number[];
}

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/** Number of elements of a concrete shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A runtime's declared shape in the protocol's terms: symbolic or unknown dimensions (a
 * name, null, undefined, a negative size) become -1, "variable".
 */
export function protocolShape(shape: readonly (number | string | null | undefined)[]): number[] {
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}
