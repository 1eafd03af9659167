/**
 * Encodes a TF Serving `:predict` response as JSON text, written directly (no object tree
 * per element).
 *
 * - row format (the request sent "instances"): `{"predictions": [...]}`, one entry per
 *   instance: with one output the row of that output, with several an object keyed by
 *   output name. Every output must have the batch dimension first, of the request's size.
 * - columnar format (the request sent "inputs"): `{"outputs": value | {name: value}}`, a
 *   bare value with one output, each the whole tensor nested to its shape.
 *
 * Elements print as in the v2 API's JSON (infer-response.ts), so both APIs answer the same
 * numbers: FP32 as the double it holds, INT64/UINT64 as exact literals, FP16 as its
 * value, non-finite floats as the strings "NaN", "Infinity", "-Infinity" (strict JSON;
 * TF Serving writes bare tokens that strict parsers reject), -0 as -0. BYTES outputs are
 * strings, except outputs whose name ends in `_bytes`, written as `{"b64": "..."}` of
 * their UTF-8 bytes, as TF Serving does for binary values.
 */
import type { Tensor, TensorData } from '../../runtimes/tensor.ts';
import { elementCount, isDataType } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import { hasStorageOf } from './datatypes.ts';
import { fp16BitsToNumber } from './fp16.ts';
import { malformedOutput } from './infer-response.ts';
import type { PredictFormat } from './tfserving-request.ts';

export interface PredictOutput {
  name: string;
  tensor: Tensor;
}

/** The comma-separated literals of elements [start, end). */
type RowWriter = (start: number, end: number) => string;

function floatLiteral(x: number): string {
  if (x - x === 0) return x === 0 && 1 / x < 0 ? '-0' : String(x);
  if (x !== x) return '"NaN"';
  return x > 0 ? '"Infinity"' : '"-Infinity"';
}

function mapJoin(n: number, start: number, literal: (k: number) => string): string {
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = literal(start + i);
  return parts.join(',');
}

/** The element writer of an output; undefined when its storage does not fit its datatype. */
function rowWriter(name: string, tensor: Tensor): RowWriter | undefined {
  const { datatype, data } = tensor;
  if (!hasStorageOf(datatype, data)) return undefined;
  switch (datatype) {
    case 'BOOL': {
      const a = data as Uint8Array;
      return (s, e) => mapJoin(e - s, s, (k) => (a[k] ? 'true' : 'false'));
    }
    case 'FP16': {
      const a = data as Uint16Array;
      return (s, e) => mapJoin(e - s, s, (k) => floatLiteral(fp16BitsToNumber(a[k] as number)));
    }
    case 'FP32':
    case 'FP64': {
      const a = data as Float32Array | Float64Array;
      return (s, e) => {
        for (let k = s; k < e; k++) {
          const x = a[k] as number;
          if (x - x !== 0 || (x === 0 && 1 / x < 0)) return mapJoin(e - s, s, (i) => floatLiteral(a[i] as number));
        }
        return a.subarray(s, e).join(',');
      };
    }
    case 'BYTES': {
      const a = data as string[];
      if (a.some((v) => typeof v !== 'string')) return undefined;
      if (name.endsWith('_bytes')) {
        return (s, e) => mapJoin(e - s, s, (k) => `{"b64":"${Buffer.from(a[k] as string, 'utf8').toString('base64')}"}`);
      }
      return (s, e) => mapJoin(e - s, s, (k) => JSON.stringify(a[k]));
    }
    default: {
      const a = data as Exclude<TensorData, string[]>;
      return (s, e) => a.subarray(s, e).join(',');
    }
  }
}

/** An output whose tensor is consistent (datatype, shape, storage), with its writer. */
function checked(out: PredictOutput): { shape: number[]; write: RowWriter } {
  const { tensor } = out;
  const shapeOk = Array.isArray(tensor.shape) && tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  const write = shapeOk && isDataType(tensor.datatype) && tensor.data.length === elementCount(tensor.shape)
    ? rowWriter(out.name, tensor) : undefined;
  if (write === undefined) throw malformedOutput(out.name);
  return { shape: tensor.shape, write };
}

/** Appends the nested JSON of the elements at `offset` spanning dims [d, rank) of `shape`. */
function writeNested(parts: string[], write: RowWriter, shape: readonly number[], strides: readonly number[], d: number, offset: number): void {
  const rank = shape.length;
  if (d === rank) {
    parts.push(write(offset, offset + 1));
    return;
  }
  const n = shape[d] as number;
  if (d === rank - 1) {
    parts.push('[', write(offset, offset + n), ']');
    return;
  }
  const stride = strides[d] as number;
  parts.push('[');
  for (let k = 0; k < n; k++) {
    if (k > 0) parts.push(',');
    writeNested(parts, write, shape, strides, d + 1, offset + k * stride);
  }
  parts.push(']');
}

/** strides[d]: elements spanned by one step of dim d. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let n = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = n;
    n *= shape[d] as number;
  }
  return strides;
}

function encodeRows(outputs: readonly PredictOutput[], rows: number): string {
  const encoded = outputs.map((out) => {
    const { shape, write } = checked(out);
    if (shape.length === 0 || shape[0] !== rows) {
      throw new GatewayError('MODELGATE_ERR_INTERNAL',
        `output ${JSON.stringify(out.name)}: expected ${rows} rows (one per instance), the model returned shape [${shape.join(', ')}]`);
    }
    return { key: JSON.stringify(out.name), shape, strides: stridesOf(shape), write };
  });
  const parts: string[] = ['{"predictions":['];
  const only = encoded.length === 1 ? encoded[0] : undefined;
  for (let i = 0; i < rows; i++) {
    if (i > 0) parts.push(',');
    if (only !== undefined) {
      writeNested(parts, only.write, only.shape, only.strides, 1, i * (only.strides[0] as number));
      continue;
    }
    parts.push('{');
    encoded.forEach((e, k) => {
      parts.push(k > 0 ? ',' : '', e.key, ':');
      writeNested(parts, e.write, e.shape, e.strides, 1, i * (e.strides[0] as number));
    });
    parts.push('}');
  }
  parts.push(']}');
  return parts.join('');
}

function encodeColumns(outputs: readonly PredictOutput[]): string {
  const parts: string[] = ['{"outputs":'];
  const single = outputs.length === 1;
  if (!single) parts.push('{');
  outputs.forEach((out, k) => {
    const { shape, write } = checked(out);
    if (!single) parts.push(k > 0 ? ',' : '', JSON.stringify(out.name), ':');
    writeNested(parts, write, shape, stridesOf(shape), 0, 0);
  });
  if (!single) parts.push('}');
  parts.push('}');
  return parts.join('');
}

/**
 * The JSON text of a `:predict` response. `rows`: the number of instances (row format);
 * every output must have it as its first dim.
 */
export function encodePredictResponse(format: PredictFormat, outputs: readonly PredictOutput[], rows = 0): string {
  return format === 'row' ? encodeRows(outputs, rows) : encodeColumns(outputs);
}
