import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataType, Tensor, TensorData } from '../../runtimes/tensor.ts';
import { DATATYPES } from '../../runtimes/tensor.ts';
import { transferList } from '../../runtimes/transfer.ts';
import { swapByteOrder } from './binary-layout.ts';
import { decodeBinaryTensorData, decodeInferBody, splitBinaryBody } from './binary-request.ts';
import { encodeInferResponseBinary } from './binary-response.ts';
import type { InferRequest, ModelSignature } from './infer-request.ts';
import { assertRefused } from '../../test/helpers/assert-refused.ts';

const JSON_OPTS = { maxDepth: 100 };

/** JSON text with bigints as integer literals and -0 as "-0" (JSON.stringify can do neither). */
function lit(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${lit(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The wire bytes of `values`, written independently of the code under test: DataView
 * little-endian writes, one element at a time. FP16 values are given as bit patterns.
 */
function wire(datatype: DataType, values: readonly unknown[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(values.map((s) => {
      const text = Buffer.from(s as string, 'utf8');
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(text.length);
      return Buffer.concat([prefix, text]);
    }));
  }
  const size = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4 }[datatype as string] ?? 8;
  const out = new DataView(new ArrayBuffer(values.length * size));
  const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
  values.forEach((v, i) => {
    const at = i * size;
    switch (datatype) {
      case 'BOOL': out.setUint8(at, v ? 1 : 0); break;
      case 'UINT8': out.setUint8(at, v as number); break;
      case 'INT8': out.setInt8(at, v as number); break;
      case 'UINT16': case 'FP16': out.setUint16(at, v as number, true); break;
      case 'INT16': out.setInt16(at, v as number, true); break;
      case 'UINT32': out.setUint32(at, v as number, true); break;
      case 'INT32': out.setInt32(at, v as number, true); break;
      case 'UINT64': out.setBigUint64(at, BigInt(v as bigint), true); break;
      case 'INT64': out.setBigInt64(at, BigInt(v as bigint), true); break;
      case 'FP32': out.setFloat32(at, num(v), true); break;
      case 'FP64': out.setFloat64(at, num(v), true); break;
    }
  });
  return Buffer.from(out.buffer);
}

/** Per datatype: the JSON `data` a client would send, and the same elements on the wire. */
const CASES: Record<DataType, { json: unknown[]; wire: Buffer }> = (() => {
  const same = (datatype: DataType, values: unknown[]): { json: unknown[]; wire: Buffer } =>
    ({ json: values, wire: wire(datatype, values) });
  return {
    BOOL: same('BOOL', [true, false, true, true]),
    UINT8: same('UINT8', [0, 255, 7]),
    UINT16: same('UINT16', [0, 65535, 258]),
    UINT32: same('UINT32', [0, 4294967295, 16909060]),
    UINT64: same('UINT64', [0n, 18446744073709551615n, 9007199254740993n, 1n]),
    INT8: same('INT8', [-128, 127, 0, -1]),
    INT16: same('INT16', [-32768, 32767, -1]),
    INT32: same('INT32', [-2147483648, 2147483647, 5]),
    INT64: same('INT64', [-9223372036854775808n, 9223372036854775807n, 9007199254740993n, -9007199254740993n, -1n, 0n]),
    FP16: {
      json: [0, -0, 65504, -65504, 2 ** -24, 2 ** -14, 0.333251953125, 'Infinity', '-Infinity', 'NaN'],
      wire: wire('FP16', [0x0000, 0x8000, 0x7bff, 0xfbff, 0x0001, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00]),
    },
    FP32: same('FP32', [Math.fround(0.1), -0, 3.4028234663852886e38, 1.401298464324817e-45, 'NaN', '-Infinity']),
    FP64: same('FP64', [0.1, 5e-324, 1.7976931348623157e308, -0, 'Infinity', -2.5]),
    BYTES: same('BYTES', ['', 'hello', 'ä€😀', '', '\n\u0000\u2028', '\ufeffBOM kept', 'x'.repeat(300)]),
  };
})();

/** A non-batching model with one input `t` of rank 1 and one output `t`. */
function single(datatype: DataType): ModelSignature {
  return { maxBatchSize: 0, inputs: [{ name: 't', datatype, shape: [-1] }], outputs: [{ name: 't', datatype, shape: [-1] }] };
}

/** A body: the JSON header, then `chunks`, with the header length as the client sends it. */
function binaryBody(header: unknown, chunks: readonly Uint8Array[]): { body: Buffer; headerLength: string } {
  const json = Buffer.from(typeof header === 'string' ? header : lit(header), 'utf8');
  return { body: Buffer.concat([json, ...chunks]), headerLength: String(json.length) };
}

function decodeBinary(model: ModelSignature, header: unknown, chunks: readonly Uint8Array[]): InferRequest {
  const { body, headerLength } = binaryBody(header, chunks);
  return decodeInferBody(body, headerLength, model, JSON_OPTS);
}

function bytesOf(data: TensorData): Buffer | string[] {
  return Array.isArray(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function input(req: InferRequest, name: string): Tensor {
  const t = req.inputs[name];
  assert.ok(t !== undefined, `input ${name}`);
  return t;
}


const refused = (fn: () => unknown, message: string | RegExp): unknown =>
  assertRefused(fn, 'MODELGATE_ERR_INVALID_INPUT', message);

test('every datatype: a binary request decodes to the same tensor as the JSON request', () => {
  for (const datatype of DATATYPES) {
    const { json, wire: bytes } = CASES[datatype];
    const model = single(datatype);
    const shape = [json.length];
    const fromJson = decodeInferBody(
      Buffer.from(lit({ inputs: [{ name: 't', datatype, shape, data: json }] })), undefined, model, JSON_OPTS);
    const fromBinary = decodeBinary(model, {
      inputs: [{ name: 't', datatype, shape, parameters: { binary_data_size: bytes.length } }],
    }, [bytes]);
    const a = input(fromJson, 't');
    const b = input(fromBinary, 't');
    assert.deepStrictEqual(b, a, datatype);
    assert.deepStrictEqual(bytesOf(b.data), bytesOf(a.data), `${datatype}: bit for bit`);
    assert.equal(b.data.constructor, a.data.constructor, datatype);
  }
});

test('every datatype round-trips: binary request → tensor → binary response, byte for byte', () => {
  for (const datatype of DATATYPES) {
    const { json, wire: bytes } = CASES[datatype];
    const shape = [json.length];
    const req = decodeBinary(single(datatype), {
      inputs: [{ name: 't', datatype, shape, parameters: { binary_data_size: bytes.length } }],
      outputs: [{ name: 't', parameters: { binary_data: true } }],
    }, [bytes]);
    const tensor = input(req, 't');
    const { body, headerLength } = encodeInferResponseBinary(
      { modelName: 'm', modelVersion: '1', outputs: [{ name: 't', tensor }] }, new Set(['t']));
    const header = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as {
      outputs: { name: string; datatype: string; shape: number[]; parameters: { binary_data_size: number }; data?: unknown }[];
    };
    const out = header.outputs[0];
    assert.ok(out !== undefined);
    assert.deepEqual(out, { name: 't', datatype, shape, parameters: { binary_data_size: bytes.length } }, datatype);
    assert.deepEqual(body.subarray(headerLength), bytes, datatype);
    // And the response bytes decode back to the very same tensor.
    const again = decodeBinaryTensorData(body.subarray(headerLength), datatype, shape, 'outputs[0]');
    assert.deepStrictEqual(bytesOf(again), bytesOf(tensor.data), datatype);
  }
});

test('numeric data owns its ArrayBuffer (transferable to a worker), whatever the alignment in the body', () => {
  const model: ModelSignature = {
    maxBatchSize: 0,
    inputs: [
      { name: 'a', datatype: 'UINT8', shape: [3] },
      { name: 'b', datatype: 'FP64', shape: [2] },
      { name: 'c', datatype: 'INT64', shape: [1] },
    ],
    outputs: [],
  };
  // 3 bytes of UINT8 first, so the FP64 and INT64 bytes sit at odd offsets in the body.
  const req = decodeBinary(model, {
    inputs: [
      { name: 'a', datatype: 'UINT8', shape: [3], parameters: { binary_data_size: 3 } },
      { name: 'b', datatype: 'FP64', shape: [2], parameters: { binary_data_size: 16 } },
      { name: 'c', datatype: 'INT64', shape: [1], parameters: { binary_data_size: 8 } },
    ],
  }, [wire('UINT8', [1, 2, 3]), wire('FP64', [1.5, -0.25]), wire('INT64', [-7n])]);
  assert.deepEqual(input(req, 'b').data, new Float64Array([1.5, -0.25]));
  assert.deepEqual(input(req, 'c').data, new BigInt64Array([-7n]));
  const buffers = transferList(req.inputs);
  assert.equal(buffers.length, 3);
  for (const name of ['a', 'b', 'c']) {
    const data = input(req, name).data as Exclude<TensorData, string[]>;
    assert.equal(data.byteOffset, 0, name);
    assert.equal(data.byteLength, data.buffer.byteLength, name);
    assert.ok(buffers.includes(data.buffer as ArrayBuffer), name);
  }
});

const mixedModel: ModelSignature = {
  maxBatchSize: 8,
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [-1, 2] },
    { name: 'mask', datatype: 'BOOL', shape: [-1, 2] },
    { name: 'ids', datatype: 'INT64', shape: [-1] },
    { name: 'text', datatype: 'BYTES', shape: [-1] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
};

const X = wire('FP32', [1, 2, 3, 4]);
const IDS = wire('INT64', [9223372036854775807n, -1n]);
const TEXT = wire('BYTES', ['héllo', '']);

/** A valid mixed request: x, ids and text binary (in that order), mask as JSON in between. */
function mixed(over: { x?: object; mask?: object; ids?: object; text?: object } = {}): Record<string, unknown> {
  return {
    id: 'r1',
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: X.length }, ...over.x },
      { name: 'mask', datatype: 'BOOL', shape: [2, 2], data: [[true, false], [false, true]], ...over.mask },
      { name: 'ids', datatype: 'INT64', shape: [2], parameters: { binary_data_size: IDS.length }, ...over.ids },
      { name: 'text', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: TEXT.length }, ...over.text },
    ],
  };
}

test('mixed JSON and binary inputs in one request; binary bytes taken in input order', () => {
  const req = decodeBinary(mixedModel, mixed(), [X, IDS, TEXT]);
  assert.equal(req.id, 'r1');
  assert.deepStrictEqual(req.inputs, {
    x: { datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
    mask: { datatype: 'BOOL', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) },
    ids: { datatype: 'INT64', shape: [2], data: new BigInt64Array([9223372036854775807n, -1n]) },
    text: { datatype: 'BYTES', shape: [2], data: ['héllo', ''] },
  });
  // The same request without binary data, as plain JSON, decodes identically.
  const plain = decodeInferBody(Buffer.from(lit({
    id: 'r1',
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] },
      { name: 'mask', datatype: 'BOOL', shape: [2, 2], data: [true, false, false, true] },
      { name: 'ids', datatype: 'INT64', shape: [2], data: [9223372036854775807n, -1] },
      { name: 'text', datatype: 'BYTES', shape: [2], data: ['héllo', ''] },
    ],
  })), undefined, mixedModel, JSON_OPTS);
  assert.deepStrictEqual(plain, req);
});

test('the header alone: Inference-Header-Content-Length equal to the body length, no binary input', () => {
  const { body, headerLength } = binaryBody(mixed({
    x: { data: [1, 2, 3, 4], parameters: undefined },
    ids: { data: [1, 2], parameters: undefined },
    text: { data: ['a', 'b'], parameters: undefined },
  }), []);
  const req = decodeInferBody(body, headerLength, mixedModel, JSON_OPTS);
  assert.deepEqual(input(req, 'ids').data, new BigInt64Array([1n, 2n]));
  // Zero-element binary inputs take zero bytes.
  const empty = decodeBinary(single('FP32'), {
    inputs: [{ name: 't', datatype: 'FP32', shape: [0], parameters: { binary_data_size: 0 } }],
  }, []);
  assert.deepStrictEqual(input(empty, 't'), { datatype: 'FP32', shape: [0], data: new Float32Array(0) });
});

test('splitBinaryBody: absent header → plain JSON; the split is a view', () => {
  const body = Buffer.from('{"a":1}\x01\x02');
  assert.equal(splitBinaryBody(body, undefined), undefined);
  const parts = splitBinaryBody(body, '7');
  assert.ok(parts !== undefined);
  assert.equal(parts.header.toString(), '{"a":1}');
  assert.deepEqual([...parts.binary], [1, 2]);
  assert.equal(parts.header.buffer, body.buffer);
  assert.equal(splitBinaryBody(body, '9')?.binary.length, 0);
  assert.equal(splitBinaryBody(body, ' 0 ')?.header.length, 0);
});

test('Inference-Header-Content-Length: not a non-negative integer, or past the end of the body → 400', () => {
  const body = Buffer.from('{"inputs":[]}1234');
  const bad = (value: string, message: string | RegExp): unknown =>
    assertRefused(() => splitBinaryBody(body, value), 'MODELGATE_ERR_BAD_REQUEST', message);
  bad('18', 'Inference-Header-Content-Length: expected at most the body\'s length (17 bytes), got 18');
  bad('99999999999999999999999999', /^Inference-Header-Content-Length: expected at most the body's length \(17 bytes\), got "9+"$/);
  const notInteger = 'Inference-Header-Content-Length: expected a non-negative integer (the byte length of the JSON part of the body), got ';
  bad('abc', `${notInteger}"abc"`);
  bad('-1', `${notInteger}"-1"`);
  bad('1.5', `${notInteger}"1.5"`);
  bad('1e3', `${notInteger}"1e3"`);
  bad('0x10', `${notInteger}"0x10"`);
  bad('', `${notInteger}""`);
  bad('13, 13', `${notInteger}"13, 13"`);
  // Through decodeInferBody too.
  assertRefused(() => decodeInferBody(body, 'twelve', single('FP32'), JSON_OPTS), 'MODELGATE_ERR_BAD_REQUEST',
    /^Inference-Header-Content-Length: expected a non-negative integer/);
});

test('a header length that cuts the JSON, or is 0, is malformed JSON (400)', () => {
  const { body } = binaryBody(mixed(), [X, IDS, TEXT]);
  assertRefused(() => decodeInferBody(body, '20', mixedModel, JSON_OPTS), 'MODELGATE_ERR_MALFORMED_JSON', /^request body: malformed JSON/);
  assertRefused(() => decodeInferBody(body, '0', mixedModel, JSON_OPTS), 'MODELGATE_ERR_MALFORMED_JSON', 'request body: malformed JSON: empty body');
});

test('sizes that do not add up to the binary section: too few bytes (which input) and too many', () => {
  refused(() => decodeBinary(mixedModel, mixed(), [X, IDS, TEXT.subarray(0, TEXT.length - 1)]),
    `inputs[3].parameters.binary_data_size: expected ${TEXT.length} bytes of binary data, but only ${TEXT.length - 1} remain ` +
    `(the binary section holds ${X.length + IDS.length + TEXT.length - 1} bytes, ${X.length + IDS.length} taken by earlier inputs)`);
  refused(() => decodeBinary(mixedModel, mixed(), [X.subarray(0, 10)]),
    'inputs[0].parameters.binary_data_size: expected 16 bytes of binary data, but only 10 remain ' +
    '(the binary section holds 10 bytes, 0 taken by earlier inputs)');
  refused(() => decodeBinary(mixedModel, mixed(), [X, IDS, TEXT, Buffer.from([0, 0, 0])]),
    `binary section: 3 bytes that no input claims (the inputs' binary_data_size add up to ${X.length + IDS.length + TEXT.length} ` +
    `bytes, the section after the JSON holds ${X.length + IDS.length + TEXT.length + 3})`);
  // A binary section but no binary input at all.
  refused(() => decodeBinary(single('FP32'), { inputs: [{ name: 't', datatype: 'FP32', shape: [1], data: [1] }] }, [X]),
    /^binary section: 16 bytes that no input claims \(the inputs' binary_data_size add up to 0 bytes/);
});

test('binary_data_size must be a non-negative integer matching shape × element size', () => {
  refused(() => decodeBinary(mixedModel, mixed({ x: { parameters: { binary_data_size: 12 } } }), [X, IDS, TEXT]),
    'inputs[0].parameters.binary_data_size: shape [2, 2] of FP32 needs 16 bytes (4 × 4), got 12');
  refused(() => decodeBinary(mixedModel, mixed({ ids: { parameters: { binary_data_size: 24 } } }), [X, IDS, TEXT]),
    'inputs[2].parameters.binary_data_size: shape [2] of INT64 needs 16 bytes (2 × 8), got 24');
  for (const [size, shown] of [[-1, '-1'], [1.5, '1.5'], ['16', '"16"'], [null, 'null'], [true, 'true'], [{}, 'an object']] as const) {
    refused(() => decodeBinary(mixedModel, mixed({ x: { parameters: { binary_data_size: size } } }), [X, IDS, TEXT]),
      `inputs[0].parameters.binary_data_size: expected a non-negative integer (bytes), got ${shown}`);
  }
  // A huge declared shape is refused by its size, before anything is allocated.
  refused(() => decodeBinary(single('FP64'), {
    inputs: [{ name: 't', datatype: 'FP64', shape: [2 ** 40], parameters: { binary_data_size: 8 } }],
  }, [wire('FP64', [1])]), 'inputs[0].parameters.binary_data_size: shape [1099511627776] of FP64 needs 8796093022208 bytes (1099511627776 × 8), got 8');
  refused(() => decodeBinary(single('BYTES'), {
    inputs: [{ name: 't', datatype: 'BYTES', shape: [2 ** 40], parameters: { binary_data_size: 8 } }],
  }, [wire('BYTES', ['', ''])]),
  'inputs[0].parameters.binary_data_size: shape [1099511627776] of BYTES needs at least 4398046511104 bytes (a 4-byte length per element), got 8');
});

test('BYTES elements: length prefixes inside the input, element count equal to the shape, UTF-8', () => {
  const model = single('BYTES');
  const req = (shape: number[], bytes: Uint8Array) => (): InferRequest => decodeBinary(model, {
    inputs: [{ name: 't', datatype: 'BYTES', shape, parameters: { binary_data_size: bytes.length } }],
  }, [bytes]);
  // Element [1] claims 100 bytes, 3 are there.
  const past = Buffer.concat([wire('BYTES', ['ab']), Buffer.from([100, 0, 0, 0, 1, 2, 3])]);
  refused(req([2], past), 'inputs[0]: binary data: BYTES element [1]: length 100 (at byte 6) runs past the end of the input\'s 13 bytes (3 remain)');
  // A length of 2^32 − 1.
  refused(req([1], Buffer.from([0xff, 0xff, 0xff, 0xff, 0])),
    'inputs[0]: binary data: BYTES element [0]: length 4294967295 (at byte 0) runs past the end of the input\'s 5 bytes (1 remain)');
  // Element [1]'s length prefix itself is cut off.
  refused(req([2], Buffer.concat([wire('BYTES', ['abcde']), Buffer.from([1, 0, 0])])),
    'inputs[0]: binary data: BYTES element [1]: expected a 4-byte length at byte 9, but only 3 of the input\'s 12 bytes remain');
  // More elements than the shape has.
  refused(req([1], wire('BYTES', ['a', 'b'])),
    'inputs[0]: binary data: expected 1 BYTES elements filling the input\'s 10 bytes, but 5 bytes remain after element [0]');
  // Invalid UTF-8 (a lone continuation byte; an encoded surrogate).
  refused(req([2], Buffer.concat([wire('BYTES', ['ok']), Buffer.from([1, 0, 0, 0, 0x80])])),
    'inputs[0]: binary data: BYTES element [1]: expected UTF-8 text (bytes 10–11)');
  refused(req([1], Buffer.from([3, 0, 0, 0, 0xed, 0xa0, 0x80])), /^inputs\[0\]: binary data: BYTES element \[0\]: expected UTF-8 text/);
});

test('BOOL bytes must be 0 or 1', () => {
  refused(() => decodeBinary(single('BOOL'), {
    inputs: [{ name: 't', datatype: 'BOOL', shape: [3], parameters: { binary_data_size: 3 } }],
  }, [Buffer.from([1, 0, 2])]), 'inputs[0]: binary data: BOOL element [2]: expected a byte 0 or 1, got 2');
});

test('binary inputs get every check a JSON input gets', () => {
  const all = [X, IDS, TEXT];
  refused(() => decodeBinary(mixedModel, mixed({ x: { data: [1, 2, 3, 4] } }), all),
    'inputs[0]: expected either "data" or parameters.binary_data_size, not both');
  refused(() => decodeBinary(mixedModel, mixed({ x: { data: null } }), all),
    'inputs[0]: expected either "data" or parameters.binary_data_size, not both');
  refused(() => decodeBinary(mixedModel, mixed({ ids: { name: 'nope' } }), all),
    'inputs[2].name: expected one of "x", "mask", "ids", "text", got "nope"');
  refused(() => decodeBinary(mixedModel, mixed({ text: { name: 'ids' } }), all), 'inputs[3].name: duplicate input "ids"');
  refused(() => decodeBinary(mixedModel, mixed({ x: { datatype: 'FP64' } }), all), 'inputs[0].datatype: expected FP32, got "FP64"');
  refused(() => decodeBinary(mixedModel, mixed({ x: { shape: [2, 3] } }), all),
    'inputs[0].shape: expected [-1, 2] (rank 2), got [2, 3]');
  refused(() => decodeBinary(mixedModel, mixed({ x: { shape: [9, 2] } }), all),
    'inputs[0].shape[0]: expected a batch size in [1, 8], got 9');
  refused(() => decodeBinary(mixedModel, mixed({ ids: { shape: [1], parameters: { binary_data_size: 8 } } }), [X, IDS.subarray(0, 8), TEXT]),
    'inputs[2].shape[0]: expected batch size 2 (as inputs[0]), got 1');
  refused(() => decodeBinary(mixedModel, mixed({ x: { parameters: 16 } }), all), 'inputs[0].parameters: expected an object, got 16');
  const body = mixed();
  (body.inputs as unknown[]).pop();
  refused(() => decodeBinary(mixedModel, body, [X, IDS]), 'inputs: missing declared input(s) "text"');
});

test('binary_data_size in a plain JSON body (no Inference-Header-Content-Length) is refused', () => {
  const { body } = binaryBody(mixed(), []);
  refused(() => decodeInferBody(body, undefined, mixedModel, JSON_OPTS),
    /^inputs\[0\]\.parameters\.binary_data_size: binary tensor data is not supported in a plain JSON body; .*Inference-Header-Content-Length/);
});

test('decodeBinaryTensorData on its own; swapByteOrder', () => {
  assert.deepEqual(decodeBinaryTensorData(wire('UINT16', [1, 256]), 'UINT16', [2], 't'), new Uint16Array([1, 256]));
  assert.deepEqual(decodeBinaryTensorData(wire('BYTES', ['a', 'ü']), 'BYTES', [1, 2], 't'), ['a', 'ü']);
  refused(() => decodeBinaryTensorData(wire('UINT16', [1, 256]), 'UINT16', [3], 't'),
    't: binary data: expected 3 × 2 bytes for UINT16, got 4');
  const b = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  swapByteOrder(b, 4);
  assert.deepEqual([...b], [4, 3, 2, 1, 8, 7, 6, 5]);
  swapByteOrder(b, 2);
  assert.deepEqual([...b], [3, 4, 1, 2, 7, 8, 5, 6]);
});

test('a 4 MiB binary FP32 input decodes exactly', () => {
  const n = 1 << 20;
  const src = new Float32Array(n);
  for (let i = 0; i < n; i++) src[i] = i * 0.5;
  const bytes = Buffer.from(src.buffer);
  const req = decodeBinary(single('FP32'), {
    inputs: [{ name: 't', datatype: 'FP32', shape: [n], parameters: { binary_data_size: bytes.length } }],
  }, [bytes]);
  assert.deepEqual(input(req, 't').data, src);
});
