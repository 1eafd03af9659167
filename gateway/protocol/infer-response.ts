/**
 * Encodes a KServe v2 inference response as JSON text, written directly (no object tree,
 * no JSON.stringify of tensors): `data` is flat, row-major, as in the spec's REST examples.
 *
 * Per datatype:
 * - UINT8…INT32: integer literals (TypedArray#join);
 * - INT64/UINT64: exact integer literals, unquoted (BigInt64Array#join prints every digit);
 * - FP64: the shortest decimal that parses back to the same double (Number#toString);
 * - FP32: the float32 value printed as its double (e.g. 0.1f → 0.10000000149011612), which
 *   parses back to the same float32; Triton prints float32 the same way;
 * - FP16: the half value as a number (exact: every half is a double);
 * - BOOL: true / false;
 * - BYTES: JSON strings.
 * Non-finite floats, which JSON cannot carry, are written as the strings "NaN",
 * "Infinity" and "-Infinity" (valid JSON, lossless, the names numpy and Python's float()
 * read; Triton writes bare NaN tokens that strict parsers reject, and null would lose the
 * value). -0 is written as -0. The request decoder accepts all of these back.
 *
 * Speed: integer arrays are joined in chunks of 4096 (subarray().join), 3× faster than one
 * TypedArray#join on 1M int32 (50 vs 155 ms) and 2.5× for int64 (65 vs 160 ms); FP16 and
 * BOOL map each element to a prebuilt literal and join (60 / 47 ms per 1M). Floats cost
 * about 190 ms per 1M (number→shortest-decimal conversion dominates; JSON.stringify(
 * Array.from(a)) is 150 ms but boxes every element, a += loop is 310 ms, toPrecision(9)
 * 330 ms). No JS value is allocated per element except the strings join itself makes.
 * (codec.bench.ts, Node 20, x64.)
 */
import type { Tensor, TensorData } from '../../runtimes/tensor.ts';
import { elementCount, isDataType } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import { hasStorageOf } from './datatypes.ts';
import { fp16BitsToNumber } from './fp16.ts';

export interface InferResponseOutput {
  name: string;
  tensor: Tensor;
}

export interface InferResponse {
  modelName: string;
  modelVersion?: string;
  id?: string;
  outputs: readonly InferResponseOutput[];
}

/** Whether a float array holds NaN, ±Infinity or -0 (which join() cannot print). */
function needsSpecialFloats(a: Float32Array | Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    if (x - x !== 0 || (x === 0 && 1 / x < 0)) return true;
  }
  return false;
}

function floatLiteral(x: number): string {
  if (x - x === 0) return x === 0 && 1 / x < 0 ? '-0' : String(x);
  if (x !== x) return '"NaN"';
  return x > 0 ? '"Infinity"' : '"-Infinity"';
}

const CHUNK = 4096;

/** `a.join(',')`, in chunks: 2–3× faster than one join for big integer arrays (see the header). */
function joinNumbers(a: Exclude<TensorData, string[]>): string {
  if (a.length <= CHUNK) return a.join(',');
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += CHUNK) parts.push(a.subarray(i, i + CHUNK).join(','));
  return parts.join(',');
}

function encodeFloats(a: Float32Array | Float64Array): string {
  if (!needsSpecialFloats(a)) return joinNumbers(a);
  const parts = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) parts[i] = floatLiteral(a[i] as number);
  return parts.join(',');
}

/** The JSON literal of every half bit pattern, built on first use (65536 short strings). */
let fp16Literals: string[] | undefined;

function encodeFp16(bits: Uint16Array): string {
  if (fp16Literals === undefined) {
    fp16Literals = new Array<string>(0x10000);
    for (let b = 0; b < 0x10000; b++) fp16Literals[b] = floatLiteral(fp16BitsToNumber(b));
  }
  const table = fp16Literals;
  const parts = new Array<string>(bits.length);
  for (let i = 0; i < bits.length; i++) parts[i] = table[bits[i] as number] as string;
  return parts.join(',');
}

function encodeBool(a: Uint8Array): string {
  const parts = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) parts[i] = a[i] ? 'true' : 'false';
  return parts.join(',');
}

/** The comma-separated elements of `data`; undefined when the storage does not fit `tensor.datatype`. */
function encodeData(tensor: Tensor): string | undefined {
  const { datatype, data } = tensor;
  if (!hasStorageOf(datatype, data)) return undefined;
  switch (datatype) {
    case 'BOOL': return encodeBool(data as Uint8Array);
    case 'FP16': return encodeFp16(data as Uint16Array);
    case 'FP32':
    case 'FP64': return encodeFloats(data as Float32Array | Float64Array);
    case 'BYTES': {
      const strings = data as string[];
      for (const s of strings) if (typeof s !== 'string') return undefined;
      const text = JSON.stringify(strings);
      return text.slice(1, -1);
    }
    default: return joinNumbers(data as Exclude<TensorData, string[]>);
  }
}

/** The error for an output tensor that does not match its datatype and shape (a runtime bug, hence 500). */
export function malformedOutput(name: string): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_INTERNAL',
    `output ${JSON.stringify(name)}: the model produced a tensor that does not match its datatype and shape`,
  );
}

/** The JSON text of one output object, `data` included. */
export function encodeOutput(out: InferResponseOutput): string {
  const { tensor } = out;
  const shapeOk = Array.isArray(tensor.shape) &&
    tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  const data = shapeOk && isDataType(tensor.datatype) &&
    tensor.data.length === elementCount(tensor.shape) ? encodeData(tensor) : undefined;
  if (data === undefined) throw malformedOutput(out.name);
  return `{"name":${JSON.stringify(out.name)},"datatype":"${tensor.datatype}",` +
    `"shape":[${tensor.shape.join(',')}],"data":[${data}]}`;
}

/**
 * The JSON text of an inference response. `encode` writes each output object (binary-response.ts
 * passes one that writes binary outputs without `data`).
 */
export function encodeInferResponse(
  response: InferResponse,
  encode: (out: InferResponseOutput) => string = encodeOutput,
): string {
  let head = `{"model_name":${JSON.stringify(response.modelName)}`;
  if (response.modelVersion !== undefined) head += `,"model_version":${JSON.stringify(response.modelVersion)}`;
  if (response.id !== undefined) head += `,"id":${JSON.stringify(response.id)}`;
  const outputs = response.outputs.map((out) => encode(out));
  return `${head},"outputs":[${outputs.join(',')}]}`;
}
