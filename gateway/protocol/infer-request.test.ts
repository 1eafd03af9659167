import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataType, TensorSpec } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import { decodeInferRequest, type ModelSignature } from './infer-request.ts';

const model: ModelSignature = {
  maxBatchSize: 8,
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [-1, 4] },
    { name: 'mask', datatype: 'UINT8', shape: [-1, 4] },
  ],
  outputs: [
    { name: 'probs', datatype: 'FP32', shape: [-1, 3] },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ],
};

/** A non-batching model with one input `t`. */
function single(datatype: DataType, shape: number[] = [-1]): ModelSignature {
  const t: TensorSpec = { name: 't', datatype, shape };
  return { maxBatchSize: 0, inputs: [t], outputs: [{ name: 'out', datatype, shape }] };
}

const x = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name: 'x', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8], ...over });
const mask = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name: 'mask', datatype: 'UINT8', shape: [2, 4], data: [0, 1, 0, 1, 255, 0, 0, 1], ...over });

function refused(body: unknown, message: string | RegExp, m: ModelSignature = model): void {
  let caught: unknown;
  try {
    decodeInferRequest(body, m);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GatewayError, `expected a GatewayError, got ${String(caught)}`);
  assert.equal(caught.code, 'MODELGATE_ERR_INVALID_INPUT');
  assert.equal(caught.status, 400);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\n\s+at |\.ts\b|file:/);
}

test('decodes a valid request', () => {
  const req = decodeInferRequest({
    id: 'req-1',
    parameters: { priority: 1 },
    inputs: [mask(), x()],
    outputs: [{ name: 'label' }, { name: 'probs', parameters: { top_k: 2 } }],
  }, model);
  assert.equal(req.id, 'req-1');
  assert.deepEqual(req.parameters, { priority: 1 });
  assert.deepEqual(req.outputs, [{ name: 'label' }, { name: 'probs', parameters: { top_k: 2 } }]);
  assert.deepEqual(Object.keys(req.inputs).sort(), ['mask', 'x']);
  assert.deepEqual(req.inputs.x, { datatype: 'FP32', shape: [2, 4], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
  assert.deepEqual(req.inputs.mask?.data, new Uint8Array([0, 1, 0, 1, 255, 0, 0, 1]));
});

test('optional fields: no id, no outputs, parameters default to {}; empty outputs means all', () => {
  const req = decodeInferRequest({ inputs: [x(), mask()] }, model);
  assert.equal('id' in req, false);
  assert.equal(req.outputs, undefined);
  assert.deepEqual(req.parameters, {});
  assert.equal(decodeInferRequest({ inputs: [x(), mask()], outputs: [] }, model).outputs, undefined);
});

test('nested data equals flat data; nested must match the shape exactly', () => {
  const nested = decodeInferRequest({ inputs: [x({ data: [[1, 2, 3, 4], [5, 6, 7, 8]] }), mask()] }, model);
  const flat = decodeInferRequest({ inputs: [x(), mask()] }, model);
  assert.deepEqual(nested.inputs.x, flat.inputs.x);
  const m3 = single('INT32', [-1, -1, -1]);
  const t = decodeInferRequest({ inputs: [{ name: 't', datatype: 'INT32', shape: [2, 1, 2], data: [[[1, 2]], [[3, 4]]] }] }, m3);
  assert.deepEqual(t.inputs.t?.data, new Int32Array([1, 2, 3, 4]));
  refused({ inputs: [x({ data: [[1, 2, 3, 4], [5, 6, 7]] }), mask()] },
    'inputs[0].data[1]: expected an array of 4 (dimension 1 of shape [2, 4]), got an array of 3');
  refused({ inputs: [x({ data: [[1, 2, 3, 4]] }), mask()] },
    'inputs[0].data: expected an array of 2 (dimension 0 of shape [2, 4]), got an array of 1');
  refused({ inputs: [x({ data: [[1, 2, 3, 4], 5] }), mask()] },
    'inputs[0].data[1]: expected an array of 4 (dimension 1 of shape [2, 4]), got 5');
  refused({ inputs: [x({ data: [1, 2, 3, 4, [5], 6, 7, 8] }), mask()] },
    'inputs[0].data[4]: expected a number for FP32, got an array of 1');
  refused({ inputs: [{ name: 't', datatype: 'INT32', shape: [2, 1, 2], data: [[1, 2], [3, 4]] }] },
    'inputs[0].data[0]: expected an array of 1 (dimension 1 of shape [2, 1, 2]), got an array of 2', m3);
  refused({ inputs: [{ name: 't', datatype: 'INT32', shape: [2, 1, 2], data: [[[1, 2]], [1]] }] },
    'inputs[0].data[1][0]: expected an array of 2 (dimension 2 of shape [2, 1, 2]), got 1', m3);
  refused({ inputs: [{ name: 't', datatype: 'INT32', shape: [2, 1, 2], data: [[[1, 2]], [[3, 'a']]] }] },
    'inputs[0].data[1][0][1]: expected an integer in [-2147483648, 2147483647] for INT32, got "a"', m3);
});

test('scalars and empty tensors', () => {
  const scalar = decodeInferRequest({ inputs: [{ name: 't', datatype: 'FP64', shape: [], data: [2.5] }] }, single('FP64', []));
  assert.deepEqual(scalar.inputs.t, { datatype: 'FP64', shape: [], data: new Float64Array([2.5]) });
  const empty = decodeInferRequest({ inputs: [{ name: 't', datatype: 'BYTES', shape: [0], data: [] }] }, single('BYTES'));
  assert.deepEqual(empty.inputs.t?.data, []);
});

test('element counts are checked before any allocation', () => {
  const m = single('FP64');
  const before = process.memoryUsage().arrayBuffers;
  refused({ inputs: [{ name: 't', datatype: 'FP64', shape: [1e12], data: [1, 2, 3] }] },
    'inputs[0].data: shape [1000000000000] needs 1000000000000 elements, got 3', m);
  refused({ inputs: [{ name: 't', datatype: 'FP64', shape: [1e8], data: [1, 2, 3] }] },
    'inputs[0].data: shape [100000000] needs 100000000 elements, got 3', m);
  const m2 = single('FP64', [-1, -1]);
  refused({ inputs: [{ name: 't', datatype: 'FP64', shape: [2, 5e11], data: [[1], [2]] }] },
    'inputs[0].data[0]: expected an array of 500000000000 (dimension 1 of shape [2, 500000000000]), got an array of 1', m2);
  refused({ inputs: [{ name: 't', datatype: 'FP64', shape: [2, 5e7], data: [[1], [2]] }] }, /dimension 1/, m2);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'no tensor storage was allocated');
  refused({ inputs: [x({ data: [1, 2, 3, 4, 5, 6, 7] }), mask()] }, 'inputs[0].data: shape [2, 4] needs 8 elements, got 7');
});

test('request body, id and parameters', () => {
  refused(null, 'request body: expected a JSON object, got null');
  refused([], 'request body: expected a JSON object, got an array of 0');
  refused('{}', 'request body: expected a JSON object, got "{}"');
  refused({ id: 5, inputs: [x(), mask()] }, 'id: expected a string, got 5');
  refused({ parameters: [1], inputs: [x(), mask()] }, 'parameters: expected an object, got an array of 1');
});

test('inputs: presence, names, duplicates', () => {
  refused({}, 'inputs: expected a non-empty array of input tensors, got nothing');
  refused({ inputs: [] }, 'inputs: expected a non-empty array of input tensors, got an array of 0');
  refused({ inputs: { x: 1 } }, 'inputs: expected a non-empty array of input tensors, got an object');
  refused({ inputs: [7] }, 'inputs[0]: expected an object, got 7');
  refused({ inputs: [x({ name: undefined })] }, 'inputs[0].name: expected a string, got nothing');
  refused({ inputs: [x(), x({ name: 'y' })] }, 'inputs[1].name: expected one of "x", "mask", got "y"');
  refused({ inputs: [x(), mask(), x()] }, 'inputs[2].name: duplicate input "x"');
  refused({ inputs: [x()] }, 'inputs: missing declared input(s) "mask"');
  refused({ inputs: [x(), mask({ parameters: { binary_data_size: 32 } })] }, /^inputs\[1\]\.parameters\.binary_data_size: binary tensor data is not supported/);
  refused({ inputs: [x(), mask({ parameters: 3 })] }, 'inputs[1].parameters: expected an object, got 3');
});

test('inputs: datatype', () => {
  refused({ inputs: [x({ datatype: 'INT64' }), mask()] }, 'inputs[0].datatype: expected FP32, got "INT64"');
  refused({ inputs: [x({ datatype: 'FLOAT32' }), mask()] }, 'inputs[0].datatype: expected FP32, got "FLOAT32" (not a KServe datatype)');
  refused({ inputs: [x({ datatype: undefined }), mask()] }, 'inputs[0].datatype: expected FP32, got nothing (not a KServe datatype)');
});

test('inputs: shape', () => {
  refused({ inputs: [x({ shape: [3] }), mask()] }, 'inputs[0].shape: expected [-1, 4] (rank 2), got [3]');
  refused({ inputs: [x({ shape: [2, 5] }), mask()] }, 'inputs[0].shape: expected [-1, 4] (rank 2), got [2, 5]');
  refused({ inputs: [x({ shape: [2, 4, 1] }), mask()] }, 'inputs[0].shape: expected [-1, 4] (rank 2), got [2, 4, 1]');
  refused({ inputs: [x({ shape: '2,4' }), mask()] }, 'inputs[0].shape: expected an array of dimensions, got "2,4"');
  refused({ inputs: [x({ shape: [2, -4] }), mask()] }, 'inputs[0].shape[1]: expected a non-negative integer, got -4');
  refused({ inputs: [x({ shape: [2.5, 4] }), mask()] }, 'inputs[0].shape[0]: expected a non-negative integer, got 2.5');
  refused({ inputs: [x({ shape: ['2', 4] }), mask()] }, 'inputs[0].shape[0]: expected a non-negative integer, got "2"');
  refused({ inputs: [x({ shape: [2 ** 60, 4] }), mask()] }, /^inputs\[0\]\.shape\[0\]: expected a non-negative integer/);
  refused({ inputs: [x({ shape: [9, 4] }), mask()] }, 'inputs[0].shape[0]: expected a batch size in [1, 8], got 9');
  refused({ inputs: [x({ shape: [0, 4], data: [] }), mask()] }, 'inputs[0].shape[0]: expected a batch size in [1, 8], got 0');
  refused({ inputs: [x(), mask({ shape: [1, 4], data: [1, 2, 3, 4] })] },
    'inputs[1].shape[0]: expected batch size 2 (as inputs[0]), got 1');
});

test('elements per datatype', () => {
  const run = (datatype: DataType, data: unknown[]): unknown =>
    decodeInferRequest({ inputs: [{ name: 't', datatype, shape: [data.length], data }] }, single(datatype)).inputs.t?.data;
  const no = (datatype: DataType, data: unknown[], message: string | RegExp): void =>
    refused({ inputs: [{ name: 't', datatype, shape: [data.length], data }] }, message, single(datatype));

  assert.deepEqual(run('BOOL', [true, false]), new Uint8Array([1, 0]));
  no('BOOL', [true, 1], 'inputs[0].data[1]: expected true or false for BOOL, got 1');
  no('UINT8', [0, 1, 2, 3, 4, 300], 'inputs[0].data[5]: expected an integer in [0, 255] for UINT8, got 300');
  no('UINT8', [-1], 'inputs[0].data[0]: expected an integer in [0, 255] for UINT8, got -1');
  no('INT8', [1.5], 'inputs[0].data[0]: expected an integer in [-128, 127] for INT8, got 1.5');
  no('INT16', [40000], 'inputs[0].data[0]: expected an integer in [-32768, 32767] for INT16, got 40000');
  no('UINT16', [null], 'inputs[0].data[0]: expected an integer in [0, 65535] for UINT16, got null');
  no('UINT32', [2 ** 32], 'inputs[0].data[0]: expected an integer in [0, 4294967295] for UINT32, got 4294967296');
  no('INT32', [true], 'inputs[0].data[0]: expected an integer in [-2147483648, 2147483647] for INT32, got true');
  no('INT32', [5n], 'inputs[0].data[0]: expected an integer in [-2147483648, 2147483647] for INT32, got 5');

  assert.deepEqual(run('INT64', [1, -2, 9007199254740993n, '-9223372036854775808', -9223372036854775808n]),
    new BigInt64Array([1n, -2n, 9007199254740993n, -9223372036854775808n, -9223372036854775808n]));
  assert.deepEqual(run('UINT64', [18446744073709551615n, '18446744073709551615', 0]),
    new BigUint64Array([18446744073709551615n, 18446744073709551615n, 0n]));
  no('INT64', [9223372036854775808n], 'inputs[0].data[0]: expected an integer in [-9223372036854775808, 9223372036854775807] for INT64, got 9223372036854775808');
  no('UINT64', [-1], 'inputs[0].data[0]: expected an integer in [0, 18446744073709551615] for UINT64, got -1');
  no('UINT64', [18446744073709551616n], /^inputs\[0\]\.data\[0\]: expected an integer in \[0, 18446744073709551615\] for UINT64, got 18446744073709551616$/);
  no('INT64', [2 ** 60], /^inputs\[0\]\.data\[0\]: expected an exact integer for INT64; .* got 1152921504606846976$/);
  no('INT64', [1.5], /^inputs\[0\]\.data\[0\]: expected an integer in .* for INT64, got 1.5$/);
  no('INT64', ['12a'], /^inputs\[0\]\.data\[0\]: expected an integer in .* for INT64, got "12a"$/);

  assert.deepEqual(run('FP16', [1, 65519, 'NaN', '-Infinity', -0]), new Uint16Array([0x3c00, 0x7bff, 0x7e00, 0xfc00, 0x8000]));
  no('FP16', [1, 70000], 'inputs[0].data[1]: expected a number within FP16 range (|x| < 65520), got 70000');
  no('FP16', ['1'], 'inputs[0].data[0]: expected a number for FP16, got "1"');
  assert.deepEqual(run('FP32', [0.1, 'Infinity', 'NaN']), new Float32Array([0.1, Infinity, NaN]));
  no('FP32', [1e39], 'inputs[0].data[0]: expected a number within FP32 range, got 1e+39');
  no('FP32', ['nan'], 'inputs[0].data[0]: expected a number for FP32, got "nan"');
  assert.deepEqual(run('FP64', [1e308, '-Infinity', 12345678901234567890n]), new Float64Array([1e308, -Infinity, 12345678901234567890]));
  no('FP64', [Infinity], 'inputs[0].data[0]: expected a number within FP64 range, got Infinity');
  no('FP64', [{}], 'inputs[0].data[0]: expected a number for FP64, got an object');
  assert.deepEqual(run('BYTES', ['a', '', 'ä€😀']), ['a', '', 'ä€😀']);
  no('BYTES', ['a', 1], 'inputs[0].data[1]: expected a string for BYTES, got 1');
});

test('outputs', () => {
  const base = { inputs: [x(), mask()] };
  refused({ ...base, outputs: 'probs' }, 'outputs: expected an array, got "probs"');
  refused({ ...base, outputs: ['probs'] }, 'outputs[0]: expected an object, got "probs"');
  refused({ ...base, outputs: [{}] }, 'outputs[0].name: expected a string, got nothing');
  refused({ ...base, outputs: [{ name: 'probs' }, { name: 'logits' }] }, 'outputs[1].name: expected one of "probs", "label", got "logits"');
  refused({ ...base, outputs: [{ name: 'probs' }, { name: 'probs' }] }, 'outputs[1].name: duplicate output "probs"');
  refused({ ...base, outputs: [{ name: 'probs', parameters: 1 }] }, 'outputs[0].parameters: expected an object, got 1');
});
