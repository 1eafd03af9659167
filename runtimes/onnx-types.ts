import type { Tensor as OrtTensor } from 'onnxruntime-node';
import type { DataType } from './tensor.ts';

/** KServe datatype ↔ onnxruntime tensor element type. ORT types missing here have no KServe name. */
const KSERVE_TO_ORT = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
} as const satisfies Record<DataType, OrtTensor.Type>;

const ORT_TO_KSERVE = new Map<string, DataType>(
  Object.entries(KSERVE_TO_ORT).map(([kserve, ort]) => [ort, kserve as DataType]),
);

export function toOrtType(datatype: DataType): OrtTensor.Type {
  return KSERVE_TO_ORT[datatype];
}

/** Undefined for ORT types the protocol cannot carry (e.g. int4, bfloat16). */
export function fromOrtType(type: string): DataType | undefined {
  return ORT_TO_KSERVE.get(type);
}

