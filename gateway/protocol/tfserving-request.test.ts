import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataType, TensorSpec } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import type { ModelSignature } from './infer-request.ts';
import { parseJsonBody } from './json-body.ts';
import { decodeB64, decodePredictRequest, isB64 } from './tfserving-request.ts';

const iris: ModelSignature = {
  maxBatchSize: 8,
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }],
};

const twoInputs: ModelSignature = {
  maxBatchSize: 8,
  inputs: [
    { name: 'numeric', datatype: 'FP32', shape: [-1, 3] },
    { name: 'species', datatype: 'INT64', shape: [-1] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
};

function one(datatype: DataType, shape: number[], maxBatchSize = 8): ModelSignature {
  const spec: TensorSpec = { name: 'x', datatype, shape };
  return { maxBatchSize, inputs: [spec], outputs: [{ ...spec, name: 'y' }] };
}

function refused(body: unknown, model: ModelSignature, message: string | RegExp): void {
  let caught: unknown;
  try {
    decodePredictRequest(body, model);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GatewayError, `expected a GatewayError, got ${String(caught)}`);
  assert.equal(caught.status, 400);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
}

test('row format, one input: each instance is a row', () => {
  const r = decodePredictRequest({ instances: [[1, 2, 3, 4], [5, 6, 7, 8]] }, iris);
  assert.equal(r.format, 'row');
  assert.equal(r.rows, 2);
  assert.deepEqual(r.inputs.input, { datatype: 'FP32', shape: [2, 4], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
});

test('row format, one input, keyed instances and signature_name', () => {
  const r = decodePredictRequest({ signature_name: 'serving_default', instances: [{ input: [1, 2, 3, 4] }] }, iris);
  assert.deepEqual(r.inputs.input?.shape, [1, 4]);
});

test('row format, scalar rows', () => {
  const r = decodePredictRequest({ instances: [1.5, 2, -3] }, one('FP64', [-1]));
  assert.deepEqual(r.inputs.x, { datatype: 'FP64', shape: [3], data: new Float64Array([1.5, 2, -3]) });
});

test('row format, several inputs keyed by name; INT64 exact through the JSON parser', () => {
  const body = parseJsonBody('{"instances":[{"numeric":[1,2,3],"species":9007199254740993},{"species":"-2","numeric":[4,5,6]}]}', { maxDepth: 10 });
  const r = decodePredictRequest(body, twoInputs);
  assert.deepEqual(r.inputs.numeric?.data, new Float32Array([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(r.inputs.species, { datatype: 'INT64', shape: [2], data: new BigInt64Array([9007199254740993n, -2n]) });
});

test('row format: variable dims are learned from the first instance and must agree', () => {
  const r = decodePredictRequest({ instances: [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]] }, one('INT32', [-1, -1, 2]));
  assert.deepEqual(r.inputs.x?.shape, [2, 3, 2]);
  assert.deepEqual([...(r.inputs.x?.data as Int32Array)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  refused({ instances: [[[1, 2], [3, 4]], [[5, 6]]] }, one('INT32', [-1, -1, 2]),
    'instances[1]: expected 2 values for input "x" [-1, -1, 2] (as instances[0]), got 1');
  refused({ instances: [[[1, 2], [3, 4]], [[5, 6], [7]]] }, one('INT32', [-1, -1, 2]),
    'instances[1][1]: expected 2 values for input "x" [-1, -1, 2], got 1');
});

test('row format: empty variable dims give an empty tensor row', () => {
  const r = decodePredictRequest({ instances: [[], []] }, one('BYTES', [-1, -1]));
  assert.deepEqual(r.inputs.x, { datatype: 'BYTES', shape: [2, 0], data: [] });
});

test('row format: errors name the instance and the expectation', () => {
  refused({ instances: [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3]] }, iris,
    'instances[3]: expected 4 values for input "input" [-1, 4], got 3');
  refused({ instances: [[1, 2, 'x', 4]] }, iris, 'instances[0][2]: expected a number for FP32, got "x"');
  refused({ instances: [5] }, iris, 'instances[0]: expected 4 values for input "input" [-1, 4], got 5');
  refused({ instances: [] }, iris, /instances: expected a non-empty list/);
  refused({ instances: {} }, iris, /instances: expected a non-empty list, got an object/);
  refused({ instances: new Array(9).fill([1, 2, 3, 4]) }, iris, 'instances: expected at most 8 instances (max_batch_size), got 9');
  refused({ instances: [{ input: [1, 2, 3, 4] }, [1, 2, 3, 4]] }, iris, /instances\[1\]: expected an object keyed by input name \("input"\) \(as instances\[0\]\)/);
  refused({ instances: [{ inptu: [1, 2, 3, 4] }] }, iris, /instances\[0\]: unknown input "inptu"/);
  refused({ instances: [{ numeric: [1, 2, 3] }] }, twoInputs, 'instances[0]: missing input "species"');
  refused({ instances: [[1, 2, 3]] }, twoInputs, /instances\[0\]: expected an object keyed by input name \("numeric", "species"\), got an array of 3/);
  refused({ instances: [{ numeric: [1, 2, 3], species: 1 }, { numeric: [1, 2, 3], species: 1.5 }] }, twoInputs,
    /instances\[1\]\.species: expected an integer .* for INT64, got 1\.5/);
  refused({ instances: [{ numeric: [1, 2, 3, 4], species: 1 }] }, twoInputs,
    'instances[0].numeric: expected 3 values for input "numeric" [-1, 3], got 4');
  refused({ instances: [[0, 0, 0, 256]] }, one('UINT8', [-1, 4]), /instances\[0\]\[3\]: expected an integer in \[0, 255\] for UINT8, got 256/);
});

test('row format needs a batching model', () => {
  refused({ instances: [[1, 2, 3, 4]] }, one('FP32', [1, 4], 0), /instances: the row format needs a model with a batch dimension.*"inputs"/);
});

test('columnar format: one input bare or keyed, shapes from the nesting', () => {
  const bare = decodePredictRequest({ inputs: [[1, 2, 3, 4], [5, 6, 7, 8]] }, iris);
  assert.equal(bare.format, 'columnar');
  assert.deepEqual(bare.inputs.input?.shape, [2, 4]);
  const keyed = decodePredictRequest({ inputs: { input: [[1, 2, 3, 4]] } }, iris);
  assert.deepEqual(keyed.inputs.input?.shape, [1, 4]);
  const scalar = decodePredictRequest({ inputs: 2.5 }, one('FP32', [], 0));
  assert.deepEqual(scalar.inputs.x, { datatype: 'FP32', shape: [], data: new Float32Array([2.5]) });
  const fixed = decodePredictRequest({ inputs: [[1, 2], [3, 4]] }, one('INT8', [2, 2], 0));
  assert.deepEqual(fixed.inputs.x?.shape, [2, 2]);
});

test('columnar format: several inputs', () => {
  const r = decodePredictRequest({ inputs: { species: [0, 2], numeric: [[1, 2, 3], [4, 5, 6]] } }, twoInputs);
  assert.deepEqual(r.inputs.numeric?.shape, [2, 3]);
  assert.deepEqual(r.inputs.species?.data, new BigInt64Array([0n, 2n]));
});

test('columnar format: errors name the input', () => {
  refused({ inputs: [[1, 2, 3, 4], [1, 2, 3]] }, iris, 'inputs[1]: expected 4 values for input "input" [-1, 4], got 3');
  refused({ inputs: { input: [1, 2, 3, 4] } }, iris, 'inputs.input[0]: expected 4 values for input "input" [-1, 4], got 1');
  refused({ inputs: [] }, iris, /inputs: expected a batch of 1 to 8 rows \(max_batch_size\), got 0/);
  refused({ inputs: new Array(9).fill([1, 2, 3, 4]) }, iris, /inputs: expected a batch of 1 to 8 rows \(max_batch_size\), got 9/);
  refused({ inputs: [[1, 2, 3]] }, twoInputs, /inputs: expected an object keyed by input name \("numeric", "species"\)/);
  refused({ inputs: { numeric: [[1, 2, 3]] } }, twoInputs, 'inputs: missing input(s) "species"');
  refused({ inputs: { numeric: [[1, 2, 3]], species: [1], extra: 1 } }, twoInputs, /inputs: unknown input "extra"/);
  refused({ inputs: { numeric: [[1, 2, 3]], species: [1, 2] } }, twoInputs, 'inputs.species: expected a batch of 1 rows (as inputs.numeric), got 2');
  refused({ inputs: [[true, 1]] }, one('BOOL', [-1, 2]), 'inputs[0][1]: expected true or false for BOOL, got 1');
  refused({ inputs: [[1, 2], [3, 4]] }, one('INT8', [2, 3], 0), 'inputs[0]: expected 3 values for input "x" [2, 3], got 2');
});

test('top-level errors', () => {
  refused([1], iris, /request body: expected a JSON object/);
  refused({}, iris, /expected "instances" \(row format\) or "inputs" \(columnar format\)/);
  refused({ instances: [[1, 2, 3, 4]], inputs: [[1, 2, 3, 4]] }, iris, /not both/);
  refused({ signature_name: 'predict', instances: [[1, 2, 3, 4]] }, iris, 'signature_name: expected "serving_default" (the only signature), got "predict"');
});

test('b64 values decode to UTF-8 strings for BYTES inputs', () => {
  const b64 = (s: string) => ({ b64: Buffer.from(s).toString('base64') });
  const rows = decodePredictRequest({ instances: [[b64('héllo'), 'plain'], [b64(''), b64('✓')]] }, one('BYTES', [-1, -1]));
  assert.deepEqual(rows.inputs.x, { datatype: 'BYTES', shape: [2, 2], data: ['héllo', 'plain', '', '✓'] });
  const scalars = decodePredictRequest({ instances: [b64('a'), b64('b')] }, one('BYTES', [-1]));
  assert.deepEqual(scalars.inputs.x?.data, ['a', 'b']);
  const alphabets = decodePredictRequest({ inputs: [{ b64: 'fn5+' }, { b64: 'fn5-' }, { b64: 'Pz8_' }] }, one('BYTES', [-1]));
  assert.deepEqual(alphabets.inputs.x?.data, ['~~~', '~~~', '???']);
  refused({ instances: [[{ b64: '/w==' }]] }, one('BYTES', [-1, -1]), /instances\[0\]\[0\]\.b64: expected the base64 of UTF-8 text/);
  refused({ instances: [[{ b64: 'no spaces' }]] }, one('BYTES', [-1, -1]), /instances\[0\]\[0\]\.b64: expected a base64 string/);
  refused({ instances: [[{ b64: 7 }]] }, one('BYTES', [-1, -1]), /instances\[0\]\[0\]\.b64: expected a base64 string, got 7/);
  refused({ instances: [[{ b64: 'YQ==', x: 1 }]] }, one('BYTES', [-1, -1]), /instances\[0\]\[0\]: expected a string for BYTES, got an object/);
  refused({ instances: [[{ b64: 'YQ==' }]] }, one('FP32', [-1, -1]), /instances\[0\]\[0\]: expected a number for FP32, got an object/);
});

test('isB64 and decodeB64', () => {
  assert.equal(isB64({ b64: 'YQ==' }), true);
  assert.equal(isB64({ b64: 'YQ==', other: 1 }), false);
  assert.equal(isB64([]), false);
  assert.equal(decodeB64({ b64: 'YWJj' }, 'p'), 'abc');
  assert.equal(decodeB64({ b64: 'YQ' }, 'p'), 'a');
  assert.throws(() => decodeB64({ b64: 'Y' }, 'p'), /p\.b64: expected a base64 string/);
  assert.throws(() => decodeB64({ b64: 'YQ=' }, 'p'), /p\.b64: expected a base64 string/);
});

test('huge nesting claims allocate nothing before the lists are checked', () => {
  // Inferred dims would be [1, 1000, 1000, 1000] from the first lists; the second list is short.
  const wide = new Array(1000).fill(0);
  const body = { inputs: [[[wide, []]]] };
  refused(body, one('FP32', [-1, -1, -1, -1]), /inputs\[0\]\[0\]\[1\]: expected 1000 values .* \(as inputs\[0\]\[0\]\[0\]\), got 0/);
});
