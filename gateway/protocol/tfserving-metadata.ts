/**
 * TF Serving's model status and model metadata bodies (the JSON forms of
 * GetModelStatusResponse and GetModelMetadataResponse), built from what the gateway knows
 * of a model: version states and the served signature. Nothing here depends on the
 * runtime behind a version.
 *
 * Decisions:
 * - States: LOADING → LOADING, READY → AVAILABLE, UNLOADING → UNLOADING,
 *   UNAVAILABLE → END. An END version that was unloaded has error_code OK; one that failed
 *   to load has UNKNOWN with the reason as error_message.
 * - The one signature is "serving_default" (method_name "tensorflow/serving/predict");
 *   a TensorInfo's `name` is the tensor's own name (there is no graph tensor "x:0").
 * - Dims are written as proto3 JSON writes int64: `{"size": "-1", "name": ""}`, sizes as
 *   decimal strings, which is what TF Serving answers and what protobuf clients parse.
 * - Datatypes: FP16 → DT_HALF, FP32 → DT_FLOAT, FP64 → DT_DOUBLE, BYTES → DT_STRING, the
 *   integer and bool types by name (DT_INT64, DT_UINT8, DT_BOOL…).
 */
import type { DataType, TensorSpec } from '../../runtimes/tensor.ts';

export const SERVING_DEFAULT = 'serving_default';
export const PREDICT_METHOD = 'tensorflow/serving/predict';

export const TF_DTYPES: Readonly<Record<DataType, string>> = Object.freeze({
  BOOL: 'DT_BOOL',
  UINT8: 'DT_UINT8',
  UINT16: 'DT_UINT16',
  UINT32: 'DT_UINT32',
  UINT64: 'DT_UINT64',
  INT8: 'DT_INT8',
  INT16: 'DT_INT16',
  INT32: 'DT_INT32',
  INT64: 'DT_INT64',
  FP16: 'DT_HALF',
  FP32: 'DT_FLOAT',
  FP64: 'DT_DOUBLE',
  BYTES: 'DT_STRING',
});

/** What a status entry needs of a version. */
export interface VersionStatusSource {
  version: number;
  state: 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';
  reason?: string | undefined;
}

export interface ModelVersionStatus {
  version: string;
  state: 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';
  status: { error_code: string; error_message: string };
}

const STATES: Readonly<Record<VersionStatusSource['state'], ModelVersionStatus['state']>> = {
  LOADING: 'LOADING',
  READY: 'AVAILABLE',
  UNLOADING: 'UNLOADING',
  UNAVAILABLE: 'END',
};

export function versionStatus(source: VersionStatusSource): ModelVersionStatus {
  const failed = source.state === 'UNAVAILABLE' && source.reason !== undefined && source.reason !== 'unloaded';
  return {
    version: String(source.version),
    state: STATES[source.state],
    status: failed ? { error_code: 'UNKNOWN', error_message: source.reason ?? '' } : { error_code: 'OK', error_message: '' },
  };
}

/** `{"model_version_status": [...]}`, versions ascending. */
export function modelStatus(versions: Iterable<VersionStatusSource>): { model_version_status: ModelVersionStatus[] } {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  return { model_version_status: sorted.map(versionStatus) };
}

export interface TensorInfo {
  dtype: string;
  tensor_shape: { dim: { size: string; name: string }[]; unknown_rank: false };
  name: string;
}

export function tensorInfo(spec: TensorSpec): TensorInfo {
  return {
    dtype: TF_DTYPES[spec.datatype],
    tensor_shape: { dim: spec.shape.map((size) => ({ size: String(size), name: '' })), unknown_rank: false },
    name: spec.name,
  };
}

/** The metadata body of one served version. */
export function modelMetadata(
  model: string, version: number, signature: { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] },
): unknown {
  const map = (specs: readonly TensorSpec[]): Record<string, TensorInfo> => {
    const out: Record<string, TensorInfo> = {};
    for (const spec of specs) Object.defineProperty(out, spec.name, { value: tensorInfo(spec), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return {
    model_spec: { name: model, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [SERVING_DEFAULT]: { inputs: map(signature.inputs), outputs: map(signature.outputs), method_name: PREDICT_METHOD },
        },
      },
    },
  };
}
