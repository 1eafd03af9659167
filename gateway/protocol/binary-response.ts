/**
 * The response side of Triton's binary tensor data extension (`binary_tensor_data`).
 *
 * An output is sent as binary data when its request output has `parameters.binary_data:
 * true`, or when the request has `parameters.binary_data_output: true` and the output does
 * not say `binary_data: false` (the per-output flag overrides the request-wide one, as in
 * Triton). A binary output appears in the JSON header with `parameters: {binary_data_size}`
 * and no `data`; its bytes follow the JSON, in the order of the outputs (layout in
 * binary-layout.ts). The response then carries Inference-Header-Content-Length (the JSON's
 * byte length) and content type application/octet-stream; with no binary output it is the
 * plain JSON of infer-response.ts.
 *
 * Copies: a numeric tensor's bytes are a view over its typed array (on a little-endian
 * host), BOOL too unless it holds bytes other than 0/1; BYTES are written once into one
 * buffer. The body is then one Buffer.concat of the JSON and those views.
 */
import type { Tensor } from '../../runtimes/tensor.ts';
import { elementCount, isDataType } from '../../runtimes/tensor.ts';
import { invalidInput } from '../errors.ts';
import {
  BINARY_CONTENT_TYPE, BYTES_LENGTH_PREFIX, INFERENCE_HEADER_CONTENT_LENGTH, LITTLE_ENDIAN_HOST, swapByteOrder,
} from './binary-layout.ts';
import { DATATYPE_INFO, hasStorageOf } from './datatypes.ts';
import { describe, type InferRequest } from './infer-request.ts';
import {
  encodeInferResponse, encodeOutput, malformedOutput, type InferResponse, type InferResponseOutput,
} from './infer-response.ts';

export interface BinaryInferResponse {
  /** The JSON header followed by the binary outputs' bytes (a Buffer over a plain ArrayBuffer, as Hono's c.body wants). */
  body: Buffer<ArrayBuffer>;
  /** Bytes of the JSON header: the value of Inference-Header-Content-Length. */
  headerLength: number;
}

export interface EncodedInferResponse {
  /** JSON text, or JSON header + binary data. */
  body: string | Buffer<ArrayBuffer>;
  /** content-type, plus inference-header-content-length when the body is binary. */
  headers: Record<string, string>;
}

/**
 * The names among `outputNames` to send as binary data, from the request's
 * `parameters.binary_data_output` and each `outputs[i].parameters.binary_data`. Refuses
 * (400) a flag that is not a boolean. Call it before running the model.
 */
export function binaryOutputNames(
  request: Pick<InferRequest, 'parameters' | 'outputs'>, outputNames: readonly string[],
): Set<string> {
  const all: unknown = request.parameters.binary_data_output;
  if (all !== undefined && typeof all !== 'boolean') {
    throw invalidInput(`parameters.binary_data_output: expected true or false, got ${describe(all)}`);
  }
  const perOutput = new Map<string, boolean>();
  const requested = request.outputs ?? [];
  for (let i = 0; i < requested.length; i++) {
    const out = requested[i];
    const flag: unknown = out?.parameters?.binary_data;
    if (out === undefined || flag === undefined) continue;
    if (typeof flag !== 'boolean') {
      throw invalidInput(`outputs[${i}].parameters.binary_data: expected true or false, got ${describe(flag)}`);
    }
    perOutput.set(out.name, flag);
  }
  const binary = new Set<string>();
  for (const name of outputNames) if (perOutput.get(name) ?? all === true) binary.add(name);
  return binary;
}

/** The wire bytes of `tensor` (binary-layout.ts); a view over its storage where possible. */
export function encodeBinaryTensorData(tensor: Tensor): Uint8Array | undefined {
  const { datatype, shape, data } = tensor;
  const shapeOk = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (!shapeOk || !isDataType(datatype) || !hasStorageOf(datatype, data) || data.length !== elementCount(shape)) {
    return undefined;
  }
  if (Array.isArray(data)) {
    let total = 0;
    for (const s of data) {
      if (typeof s !== 'string') return undefined;
      // A string holds < 2^30 UTF-16 units, so its UTF-8 length always fits the 4-byte prefix.
      total += BYTES_LENGTH_PREFIX + Buffer.byteLength(s, 'utf8');
    }
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const s of data) {
      const n = out.write(s, at + BYTES_LENGTH_PREFIX, 'utf8');
      out.writeUInt32LE(n, at);
      at += BYTES_LENGTH_PREFIX + n;
    }
    return out;
  }
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (datatype === 'BOOL') {
    // Nonzero is true, as in the JSON encoder; the wire wants exactly 0/1.
    let k = 0;
    while (k < view.length && (view[k] as number) <= 1) k++;
    if (k === view.length) return view;
    const copy = view.slice();
    for (; k < copy.length; k++) if ((copy[k] as number) > 1) copy[k] = 1;
    return copy;
  }
  const width = DATATYPE_INFO[datatype].byteSize ?? 1;
  if (LITTLE_ENDIAN_HOST || width === 1) return view;
  const swapped = view.slice();
  swapByteOrder(swapped, width);
  return swapped;
}

/**
 * The JSON header (as encodeInferResponse writes it, but the outputs named in `binary`
 * carry `parameters: {binary_data_size}` instead of `data`) followed by their bytes in
 * output order. Throws MODELGATE_ERR_INTERNAL (500) for a tensor that does not match its
 * datatype and shape.
 */
export function encodeInferResponseBinary(
  response: InferResponse, binary: ReadonlySet<string>,
): BinaryInferResponse {
  const chunks: Uint8Array[] = [];
  let dataBytes = 0;
  const encode = (out: InferResponseOutput): string => {
    if (!binary.has(out.name)) return encodeOutput(out);
    const { tensor } = out;
    const bytes = encodeBinaryTensorData(tensor);
    if (bytes === undefined) throw malformedOutput(out.name);
    chunks.push(bytes);
    dataBytes += bytes.byteLength;
    return `{"name":${JSON.stringify(out.name)},"datatype":"${tensor.datatype}",` +
      `"shape":[${tensor.shape.join(',')}],"parameters":{"binary_data_size":${bytes.byteLength}}}`;
  };
  const header = Buffer.from(encodeInferResponse(response, encode), 'utf8');
  const body = Buffer.concat([header, ...chunks], header.length + dataBytes);
  return { body, headerLength: header.length };
}

/**
 * The response body and headers: plain JSON when no output of `response` is in `binary`,
 * else JSON header + binary data with Inference-Header-Content-Length.
 */
export function encodeInferResponseFor(
  response: InferResponse, binary: ReadonlySet<string>,
): EncodedInferResponse {
  if (!response.outputs.some((out) => binary.has(out.name))) {
    return { body: encodeInferResponse(response), headers: { 'content-type': 'application/json' } };
  }
  const { body, headerLength } = encodeInferResponseBinary(response, binary);
  return {
    body,
    headers: {
      'content-type': BINARY_CONTENT_TYPE,
      [INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase()]: String(headerLength),
    },
  };
}
