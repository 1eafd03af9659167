import type { DataType } from './tensor.ts';

/**
 * KServe datatype ↔ TensorFlow.js dtype. TensorFlow.js tensors hold only these four
 * (complex64 has no KServe name); a model declaring anything else is refused at load.
 */
const TFJS_TO_KSERVE = {
  float32: 'FP32',
  int32: 'INT32',
  bool: 'BOOL',
  string: 'BYTES',
} as const satisfies Record<string, DataType>;

export type TfjsDtype = keyof typeof TFJS_TO_KSERVE;

const KSERVE_TO_TFJS = new Map<DataType, TfjsDtype>(
  Object.entries(TFJS_TO_KSERVE).map(([tfjs, kserve]) => [kserve, tfjs as TfjsDtype]),
);

/** Undefined for dtypes the protocol cannot carry (complex64) or that are unknown. */
export function fromTfjsDtype(dtype: string | undefined): DataType | undefined {
  return dtype !== undefined && dtype in TFJS_TO_KSERVE ? TFJS_TO_KSERVE[dtype as TfjsDtype] : undefined;
}

/** Undefined for KServe datatypes TensorFlow.js has no tensor for (INT64, FP16, …). */
export function toTfjsDtype(datatype: DataType): TfjsDtype | undefined {
  return KSERVE_TO_TFJS.get(datatype);
}

/**
 * SavedModel signatures name TensorFlow's DataType enum (DT_FLOAT, …); tfjs-node reads
 * them into these names. DT_INT64 inputs are fed as int32 by tfjs-node, so they are
 * served as INT32.
 */
export function fromTensorflowDtype(dtype: string | undefined): DataType | undefined {
  switch (dtype) {
    case 'DT_FLOAT': return 'FP32';
    case 'DT_INT32': case 'DT_INT64': return 'INT32';
    case 'DT_BOOL': return 'BOOL';
    case 'DT_STRING': return 'BYTES';
    default: return fromTfjsDtype(dtype);
  }
}
