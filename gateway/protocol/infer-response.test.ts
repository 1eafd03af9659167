import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataType, Tensor, TensorData } from '../../runtimes/tensor.ts';
import { DATATYPES } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import { decodeInferRequest, type ModelSignature } from './infer-request.ts';
import { encodeInferResponse } from './infer-response.ts';
import { parseJsonBody } from './json-body.ts';

/** JSON text with bigints as integer literals and -0 as "-0" (JSON.stringify can do neither). */
function lit(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${lit(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function single(datatype: DataType, rank = 1): ModelSignature {
  const shape = new Array<number>(rank).fill(-1);
  return { maxBatchSize: 0, inputs: [{ name: 't', datatype, shape }], outputs: [{ name: 't', datatype, shape }] };
}

/** Request text → parse → decode: the tensor a runtime would get. */
function decodeText(datatype: DataType, shape: number[], data: unknown[]): Tensor {
  const text = lit({ inputs: [{ name: 't', datatype, shape, data }] });
  const req = decodeInferRequest(parseJsonBody(text, { maxDepth: 100 }), single(datatype, shape.length));
  const tensor = req.inputs.t;
  assert.ok(tensor !== undefined);
  return tensor;
}

function encode(tensor: Tensor): string {
  return encodeInferResponse({ modelName: 'm', modelVersion: '1', outputs: [{ name: 't', tensor }] });
}

/** Response text → the `data` array, big integers as bigint. */
function responseData(text: string): unknown[] {
  JSON.parse(text); // valid JSON for any client
  const body = parseJsonBody(text, { maxDepth: 100 }) as { outputs: { data: unknown[] }[] };
  return body.outputs[0]?.data ?? [];
}

function bytesOf(data: TensorData): Buffer | string[] {
  return Array.isArray(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

// What a client sends, and what it gets back when the tensor is echoed as an output.
const CASES: Record<DataType, { sent: unknown[]; back: unknown[] }> = {
  BOOL: { sent: [true, false, true], back: [true, false, true] },
  UINT8: { sent: [0, 255, 7], back: [0, 255, 7] },
  UINT16: { sent: [0, 65535, 300], back: [0, 65535, 300] },
  UINT32: { sent: [0, 4294967295, 1], back: [0, 4294967295, 1] },
  UINT64: {
    sent: [18446744073709551615n, 0, 9007199254740993n, '9007199254740992', 9007199254740991],
    back: [18446744073709551615n, 0, 9007199254740993n, 9007199254740992n, 9007199254740991],
  },
  INT8: { sent: [-128, 127, 0], back: [-128, 127, 0] },
  INT16: { sent: [-32768, 32767, -1], back: [-32768, 32767, -1] },
  INT32: { sent: [-2147483648, 2147483647, 5], back: [-2147483648, 2147483647, 5] },
  INT64: {
    sent: [9007199254740993n, -9223372036854775808n, 9223372036854775807n, -1, '-42', 0],
    back: [9007199254740993n, -9223372036854775808n, 9223372036854775807n, -1, -42, 0],
  },
  FP16: {
    sent: [0, -0, 65504, -65504, 2 ** -24, 2 ** -14, 1023 * 2 ** -24, 0.333251953125, 0.1, 'NaN', 'Infinity', '-Infinity'],
    back: [0, -0, 65504, -65504, 2 ** -24, 2 ** -14, 1023 * 2 ** -24, 0.333251953125, 0.0999755859375, 'NaN', 'Infinity', '-Infinity'],
  },
  FP32: {
    sent: [0.1, Math.fround(0.1), 3.4028234663852886e38, 1.401298464324817e-45, -0, 1, 'NaN', '-Infinity'],
    back: [Math.fround(0.1), Math.fround(0.1), 3.4028234663852886e38, 1.401298464324817e-45, -0, 1, 'NaN', '-Infinity'],
  },
  FP64: {
    sent: [0.1, 5e-324, 1.7976931348623157e308, -0, 'Infinity', 12345678901234567890n],
    // A double ≥ 2^53 prints as a plain integer literal, which an exact parser reads as bigint.
    back: [0.1, 5e-324, 1.7976931348623157e308, -0, 'Infinity', 12345678901234567000n],
  },
  BYTES: {
    sent: ['', 'hello', 'ä€😀', 'quote" back\\slash', '\n\u0000\u2028'],
    back: ['', 'hello', 'ä€😀', 'quote" back\\slash', '\n\u0000\u2028'],
  },
};

test('every datatype round-trips exactly: request → tensor → response → parse → tensor', () => {
  for (const datatype of DATATYPES) {
    const { sent, back } = CASES[datatype];
    const tensor = decodeText(datatype, [sent.length], sent);
    const text = encode(tensor);
    assert.deepStrictEqual(responseData(text), back, datatype);
    // The response data decodes to the very same storage, bit for bit.
    const again = decodeText(datatype, [back.length], responseData(text));
    assert.deepStrictEqual(bytesOf(again.data), bytesOf(tensor.data), datatype);
  }
});

test('64-bit integers are written as exact, unquoted literals', () => {
  const text = encode({ datatype: 'INT64', shape: [3], data: new BigInt64Array([9007199254740993n, -9223372036854775808n, 1n]) });
  assert.match(text, /"data":\[9007199254740993,-9223372036854775808,1\]/);
  const u = encode({ datatype: 'UINT64', shape: [1], data: new BigUint64Array([18446744073709551615n]) });
  assert.match(u, /"data":\[18446744073709551615\]/);
});

test('nested and flat requests give the same response', () => {
  const nested = decodeText('INT32', [2, 3], [[1, 2, 3], [4, 5, 6]]);
  const flat = decodeText('INT32', [2, 3], [1, 2, 3, 4, 5, 6]);
  assert.equal(encode(nested), encode(flat));
  assert.equal(encode(flat),
    '{"model_name":"m","model_version":"1","outputs":[{"name":"t","datatype":"INT32","shape":[2,3],"data":[1,2,3,4,5,6]}]}');
});

test('the response envelope', () => {
  const text = encodeInferResponse({
    modelName: 'iris "v"',
    modelVersion: '3',
    id: 'req-7',
    outputs: [
      { name: 'label', tensor: { datatype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) } },
      { name: 'probs', tensor: { datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, -2]) } },
    ],
  });
  assert.equal(text, '{"model_name":"iris \\"v\\"","model_version":"3","id":"req-7","outputs":[' +
    '{"name":"label","datatype":"BOOL","shape":[2],"data":[true,false]},' +
    '{"name":"probs","datatype":"FP32","shape":[1,2],"data":[0.5,-2]}]}');
  assert.equal(encodeInferResponse({ modelName: 'm', outputs: [] }), '{"model_name":"m","outputs":[]}');
});

test('random float32 and float64 bit patterns survive encoding', () => {
  const bits32 = new Uint32Array(20_000);
  const bits64 = new Uint32Array(40_000);
  let seed = 7;
  const next = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0);
  for (let i = 0; i < bits32.length; i++) bits32[i] = next();
  for (let i = 0; i < bits64.length; i++) bits64[i] = next();
  for (const [datatype, data] of [['FP32', new Float32Array(bits32.buffer)], ['FP64', new Float64Array(bits64.buffer)]] as const) {
    const text = encode({ datatype, shape: [data.length], data });
    const back = decodeText(datatype, [data.length], responseData(text)).data as Float32Array | Float64Array;
    for (let i = 0; i < data.length; i++) {
      const a = data[i] as number;
      const b = back[i] as number;
      if (Number.isNaN(a)) assert.ok(Number.isNaN(b));
      else assert.ok(Object.is(a, b), `${datatype}[${i}]: ${a} came back as ${b}`);
    }
  }
});

test('a tensor that does not match its datatype or shape is an internal error', () => {
  const bad: Tensor[] = [
    { datatype: 'FP32', shape: [2], data: new Float64Array(2) },
    { datatype: 'FP32', shape: [3], data: new Float32Array(2) },
    { datatype: 'INT64', shape: [1], data: new Int32Array(1) },
    { datatype: 'BYTES', shape: [1], data: [1] as unknown as string[] },
    { datatype: 'FP32', shape: [-1], data: new Float32Array(0) },
  ];
  for (const tensor of bad) {
    assert.throws(() => encode(tensor), (err: unknown) =>
      err instanceof GatewayError && err.code === 'MODELGATE_ERR_INTERNAL' && /output "t"/.test(err.message));
  }
});
