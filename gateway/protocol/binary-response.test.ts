import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import {
  binaryOutputNames, encodeBinaryTensorData, encodeInferResponseBinary, encodeInferResponseFor,
} from './binary-response.ts';
import { decodeInferRequest, type InferRequest, type ModelSignature } from './infer-request.ts';
import { encodeInferResponse, type InferResponse } from './infer-response.ts';
import { assertRefused } from '../../test/helpers/assert-refused.ts';

const model: ModelSignature = {
  maxBatchSize: 0,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [2] }],
  outputs: [
    { name: 'probs', datatype: 'FP32', shape: [2] },
    { name: 'label', datatype: 'INT64', shape: [1] },
    { name: 'names', datatype: 'BYTES', shape: [2] },
  ],
};
const ALL = model.outputs.map((o) => o.name);

/** The decoded request (so the flags are read exactly as the route sees them). */
function request(extra: Record<string, unknown>): InferRequest {
  return decodeInferRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 2] }], ...extra }, model);
}

function binaryOf(extra: Record<string, unknown>, names: readonly string[] = ALL): string[] {
  return [...binaryOutputNames(request(extra), names)].sort();
}


test('binaryOutputNames: binary_data_output for all, binary_data per output overrides it', () => {
  assert.deepEqual(binaryOf({}), []);
  assert.deepEqual(binaryOf({ parameters: { binary_data_output: false } }), []);
  assert.deepEqual(binaryOf({ parameters: { binary_data_output: true } }), ['label', 'names', 'probs']);
  // Only the names being returned count.
  assert.deepEqual(binaryOf({ parameters: { binary_data_output: true } }, ['label']), ['label']);
  assert.deepEqual(binaryOf({
    parameters: { binary_data_output: true },
    outputs: [{ name: 'probs', parameters: { binary_data: false } }, { name: 'label' }],
  }, ['probs', 'label']), ['label']);
  assert.deepEqual(binaryOf({
    outputs: [{ name: 'probs', parameters: { binary_data: true } }, { name: 'label', parameters: { binary_data: false } }],
  }, ['probs', 'label']), ['probs']);
  assert.deepEqual(binaryOf({ outputs: [{ name: 'names', parameters: { binary_data: true, top_k: 1 } }] }, ['names']), ['names']);
});

test('binaryOutputNames: flags that are not booleans are 400s naming the field', () => {
  const names = (extra: Record<string, unknown>) => (): Set<string> => binaryOutputNames(request(extra), ALL);
  assertRefused(names({ parameters: { binary_data_output: 'true' } }), 'MODELGATE_ERR_INVALID_INPUT', 'parameters.binary_data_output: expected true or false, got "true"');
  assertRefused(names({ parameters: { binary_data_output: 1 } }), 'MODELGATE_ERR_INVALID_INPUT', 'parameters.binary_data_output: expected true or false, got 1');
  assertRefused(names({ parameters: { binary_data_output: null } }), 'MODELGATE_ERR_INVALID_INPUT', 'parameters.binary_data_output: expected true or false, got null');
  assertRefused(names({ outputs: [{ name: 'probs' }, { name: 'label', parameters: { binary_data: 'yes' } }] }),
    'MODELGATE_ERR_INVALID_INPUT', 'outputs[1].parameters.binary_data: expected true or false, got "yes"');
  assertRefused(names({ outputs: [{ name: 'probs', parameters: { binary_data: 0 } }] }),
    'MODELGATE_ERR_INVALID_INPUT', 'outputs[0].parameters.binary_data: expected true or false, got 0');
});

const probs: Tensor = { datatype: 'FP32', shape: [2], data: new Float32Array([0.25, 0.75]) };
const label: Tensor = { datatype: 'INT64', shape: [1], data: new BigInt64Array([-9223372036854775808n]) };
const names: Tensor = { datatype: 'BYTES', shape: [2], data: ['', 'çé😀'] };

const response: InferResponse = {
  modelName: 'modèle "m"',
  modelVersion: '2',
  id: 'réq-1',
  outputs: [{ name: 'probs', tensor: probs }, { name: 'label', tensor: label }, { name: 'names', tensor: names }],
};

test('a mixed response: binary outputs in the header without data, their bytes after it in output order', () => {
  const { body, headerLength } = encodeInferResponseBinary(response, new Set(['names', 'probs']));
  const headerText = body.subarray(0, headerLength).toString('utf8');
  // The header length counts bytes, not characters (non-ASCII model name and id).
  assert.equal(headerLength, Buffer.byteLength(headerText, 'utf8'));
  assert.ok(headerLength > headerText.length);
  assert.deepEqual(JSON.parse(headerText), {
    model_name: 'modèle "m"',
    model_version: '2',
    id: 'réq-1',
    outputs: [
      { name: 'probs', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
      { name: 'label', datatype: 'INT64', shape: [1], data: [-9223372036854775808] },
      { name: 'names', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 4 + 4 + 8 } },
    ],
  });
  // The JSON output keeps its exact literal.
  assert.match(headerText, /"data":\[-9223372036854775808\]/);
  const expected = Buffer.alloc(8 + 16);
  expected.writeFloatLE(0.25, 0);
  expected.writeFloatLE(0.75, 4);
  expected.writeUInt32LE(0, 8);
  expected.writeUInt32LE(8, 12);
  expected.write('çé😀', 16, 'utf8');
  assert.deepEqual(body.subarray(headerLength), expected);
  assert.equal(body.length, headerLength + expected.length);
});

test('encodeInferResponseFor: plain JSON when no output is binary, else binary with its headers', () => {
  const plain = encodeInferResponseFor(response, new Set());
  assert.equal(plain.body, encodeInferResponse(response));
  assert.deepEqual(plain.headers, { 'content-type': 'application/json' });
  // A binary name that is not among the outputs changes nothing.
  assert.equal(encodeInferResponseFor(response, new Set(['other'])).body, encodeInferResponse(response));

  const bin = encodeInferResponseFor(response, new Set(['label']));
  assert.ok(Buffer.isBuffer(bin.body));
  const headerLength = Number(bin.headers['inference-header-content-length']);
  assert.equal(bin.headers['content-type'], 'application/octet-stream');
  const header = JSON.parse(bin.body.subarray(0, headerLength).toString('utf8')) as { outputs: { parameters?: unknown }[] };
  assert.deepEqual(header.outputs[1]?.parameters, { binary_data_size: 8 });
  assert.equal(bin.body.subarray(headerLength).readBigInt64LE(0), -9223372036854775808n);
});

test('numeric tensors are sent as views over their storage; BOOL is normalized to 0/1 without touching the tensor', () => {
  const big = new Float64Array(1 << 16).map((_, i) => i / 3);
  const tensor: Tensor = { datatype: 'FP64', shape: [big.length], data: big };
  const view = encodeBinaryTensorData(tensor);
  assert.ok(view !== undefined);
  assert.equal(view.buffer, big.buffer);
  assert.equal(view.byteLength, big.byteLength);
  // A subarray keeps its offset.
  const sub = big.subarray(10, 20);
  const subView = encodeBinaryTensorData({ datatype: 'FP64', shape: [10], data: sub });
  assert.equal(subView?.byteOffset, 80);
  assert.equal(Buffer.from(subView as Uint8Array).readDoubleLE(0), 10 / 3);

  const bools = new Uint8Array([0, 1, 7, 0]);
  const boolBytes = encodeBinaryTensorData({ datatype: 'BOOL', shape: [4], data: bools });
  assert.deepEqual([...(boolBytes as Uint8Array)], [0, 1, 1, 0]);
  assert.deepEqual([...bools], [0, 1, 7, 0]);
  const clean = new Uint8Array([1, 0]);
  assert.equal(encodeBinaryTensorData({ datatype: 'BOOL', shape: [2], data: clean })?.buffer, clean.buffer);

  // FP16 bits go out as they are, NaN payloads included.
  const halves = new Uint16Array([0x7e01, 0x8000, 0x3c00]);
  assert.deepEqual([...(encodeBinaryTensorData({ datatype: 'FP16', shape: [3], data: halves }) as Uint8Array)],
    [0x01, 0x7e, 0x00, 0x80, 0x00, 0x3c]);
});

test('zero-element outputs have binary_data_size 0', () => {
  const { body, headerLength } = encodeInferResponseBinary({
    modelName: 'm', outputs: [{ name: 'e', tensor: { datatype: 'INT32', shape: [0, 3], data: new Int32Array(0) } }],
  }, new Set(['e']));
  assert.equal(body.length, headerLength);
  assert.deepEqual(JSON.parse(body.toString('utf8')), {
    model_name: 'm', outputs: [{ name: 'e', datatype: 'INT32', shape: [0, 3], parameters: { binary_data_size: 0 } }],
  });
});

test('a binary output that does not match its datatype and shape is a 500, as in JSON', () => {
  for (const tensor of [
    { datatype: 'FP32', shape: [3], data: new Float32Array(2) },
    { datatype: 'FP32', shape: [2], data: new Float64Array(2) },
    { datatype: 'BYTES', shape: [1], data: [7] },
    { datatype: 'FLOAT', shape: [1], data: new Float32Array(1) },
    { datatype: 'INT8', shape: [-1], data: new Int8Array(1) },
  ] as unknown as Tensor[]) {
    let caught: unknown;
    try {
      encodeInferResponseBinary({ modelName: 'm', outputs: [{ name: 'o', tensor }] }, new Set(['o']));
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof GatewayError);
    assert.equal(caught.code, 'MODELGATE_ERR_INTERNAL');
    assert.equal(caught.status, 500);
    assert.equal(caught.message, 'output "o": the model produced a tensor that does not match its datatype and shape');
  }
});
