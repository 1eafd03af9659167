/**
 * KServe v2 JSON tensors <-> onnxruntime-node tensors, for the build (expected.json)
 * and the model tests. A deliberately small converter of our own; the gateway has its
 * own codec.
 *
 * JSON `data` is the flat row-major element list. BOOL is true/false, INT64/UINT64 are
 * JSON numbers (must be safe integers here), BYTES are strings. FP16 is not supported
 * in this converter (no example uses it).
 */
import ort from 'onnxruntime-node';
import type { DataType } from '../../runtimes/tensor.ts';

export type JsonValue = number | boolean | string;

export interface JsonTensor {
  name: string;
  shape: number[];
  datatype: DataType;
  data: JsonValue[];
}

/** The onnxruntime tensor type for each KServe datatype. */
export const ORT_TYPE = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
} as const satisfies Record<DataType, ort.Tensor.Type>;

const FROM_ORT = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k])) as Record<string, DataType>;

function nums(data: readonly JsonValue[]): number[] {
  return data.map((v) => {
    if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
    return v;
  });
}

export function toOrtTensor(t: JsonTensor): ort.Tensor {
  const d = t.data;
  switch (t.datatype) {
    case 'BOOL': return new ort.Tensor('bool', Uint8Array.from(d, (v) => (v === true ? 1 : 0)), t.shape);
    case 'BYTES': return new ort.Tensor('string', d.map(String), t.shape);
    case 'INT64': return new ort.Tensor('int64', BigInt64Array.from(nums(d), BigInt), t.shape);
    case 'UINT64': return new ort.Tensor('uint64', BigUint64Array.from(nums(d), BigInt), t.shape);
    case 'UINT8': return new ort.Tensor('uint8', Uint8Array.from(nums(d)), t.shape);
    case 'UINT16': return new ort.Tensor('uint16', Uint16Array.from(nums(d)), t.shape);
    case 'UINT32': return new ort.Tensor('uint32', Uint32Array.from(nums(d)), t.shape);
    case 'INT8': return new ort.Tensor('int8', Int8Array.from(nums(d)), t.shape);
    case 'INT16': return new ort.Tensor('int16', Int16Array.from(nums(d)), t.shape);
    case 'INT32': return new ort.Tensor('int32', Int32Array.from(nums(d)), t.shape);
    case 'FP32': return new ort.Tensor('float32', Float32Array.from(nums(d)), t.shape);
    case 'FP64': return new ort.Tensor('float64', Float64Array.from(nums(d)), t.shape);
    case 'FP16': throw new Error('FP16 JSON tensors are not supported by this converter');
  }
}

function toJsonValue(v: unknown, datatype: DataType): JsonValue {
  if (datatype === 'BOOL') return v !== 0;
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`${v} does not fit a JSON number exactly`);
    return n;
  }
  return v as number | string;
}

export function fromOrtTensor(name: string, t: ort.Tensor): JsonTensor {
  const datatype = FROM_ORT[t.type];
  if (datatype === undefined || datatype === 'FP16') throw new Error(`${name}: unsupported ORT type ${t.type}`);
  const data = Array.from(t.data as ArrayLike<unknown>, (v) => toJsonValue(v, datatype));
  return { name, shape: [...t.dims], datatype, data };
}
