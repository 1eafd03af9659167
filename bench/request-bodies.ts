/**
 * The request bodies of the harness's scenarios, built once at import. Values are
 * deterministic (a seeded generator), so every run sends the same bytes.
 *
 * JSON bodies write FP32 values as JSON.stringify prints the float32 value widened to a
 * double (e.g. 0.48235294222831726): what a client that holds float32 data sends. Binary
 * bodies follow Triton's binary tensor extension: the JSON header (with
 * `parameters.binary_data_size` on the binary input) then the raw little-endian bytes, and
 * `Inference-Header-Content-Length` says where the header ends.
 */

/** Iris rows (sepal length, sepal width, petal length, petal width), from the training data. */
const IRIS_ROWS: readonly (readonly number[])[] = [
  [5.1, 3.5, 1.4, 0.2], [4.9, 3, 1.4, 0.2], [5.2, 2.7, 3.9, 1.4], [6, 2.2, 4, 1],
  [7.7, 2.8, 6.7, 2], [6.7, 3.3, 5.7, 2.1], [5.4, 3.9, 1.7, 0.4], [6.2, 2.8, 4.8, 1.8],
];

export function irisBody(rows: number): string {
  const data = Array.from({ length: rows }, (_, i) => IRIS_ROWS[i % IRIS_ROWS.length]!).flat();
  return JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 4], datatype: 'FP32', data }] });
}

export const PETAL_WIDTH_BODY = JSON.stringify({
  inputs: [
    { name: 'numeric', shape: [1, 3], datatype: 'FP32', data: [5.8, 2.7, 5.1] },
    { name: 'species', shape: [1], datatype: 'INT64', data: [2] },
  ],
});

/**
 * Uniform float32 values in [low, high): a 32-bit xorshift generator, enough for
 * benchmark inputs (no statistical claims).
 */
export function seededFloat32(count: number, seed: number, low = 0, high = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = low + (high - low) * (state / 2 ** 32);
  }
  return out;
}

/** `bench/models/mlp_heavy`'s input width. */
export const MLP_FEATURES = 256;
/** `bench/models/image_large`'s input, one image: [3, 224, 224]. */
export const IMAGE_SHAPE = [3, 224, 224] as const;
const IMAGE_VALUES = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2];

const mlpRows = (rows: number): Float32Array => seededFloat32(rows * MLP_FEATURES, 7, -1, 1);

/** One or more rows of mlp_heavy input, values in [-1, 1). */
export function mlpHeavyBody(rows = 1): string {
  return JSON.stringify({ inputs: [{ name: 'input', shape: [rows, MLP_FEATURES], datatype: 'FP32', data: Array.from(mlpRows(rows)) }] });
}

/** The same rows with the binary tensor extension (outputs as JSON). */
export function mlpHeavyBinaryRequest(rows = 1): { body: Buffer; headers: Record<string, string> } {
  return binaryRequest('input', [rows, MLP_FEATURES], mlpRows(rows));
}

/** The image of the large-input scenario: pixels scaled to [0, 1), as a normalised image would be. */
const IMAGE = seededFloat32(IMAGE_VALUES, 11);

/** One image as KServe v2 JSON, flat `data` (the cheaper JSON form: no nesting to walk). */
export function imageJsonBody(): string {
  return JSON.stringify({ inputs: [{ name: 'image', shape: [1, ...IMAGE_SHAPE], datatype: 'FP32', data: Array.from(IMAGE) }] });
}

export const INFERENCE_HEADER = 'Inference-Header-Content-Length';

/** One FP32 input with the binary tensor extension; outputs are asked for as JSON (the default). */
function binaryRequest(name: string, shape: readonly number[], values: Float32Array): { body: Buffer; headers: Record<string, string> } {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name, shape, datatype: 'FP32', parameters: { binary_data_size: bytes.length } }],
  }));
  return {
    body: Buffer.concat([header, bytes]),
    headers: { 'content-type': 'application/octet-stream', [INFERENCE_HEADER]: String(header.length) },
  };
}

/** One image with the binary tensor extension (outputs as JSON). */
export function imageBinaryRequest(): { body: Buffer; headers: Record<string, string> } {
  return binaryRequest('image', [1, ...IMAGE_SHAPE], IMAGE);
}
