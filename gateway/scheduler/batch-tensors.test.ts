import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors.ts';
import type { NamedTensors, Tensor } from '../../runtimes/tensor.ts';
import { concatBatch, requestRows, shapeKey, splitBatch } from './batch-tensors.ts';

/** Three requests of 1, 3 and 2 rows; each value encodes (request, element) so mix-ups show. */
const ROWS = [1, 3, 2];

function requestsOf(make: (request: number, rows: number) => Tensor): NamedTensors[] {
  return ROWS.map((rows, request) => ({ x: make(request, rows) }));
}

function values(request: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => request * 100 + k);
}

const cases: Array<[string, (request: number, rows: number) => Tensor]> = [
  ['FP32', (r, rows) => ({ datatype: 'FP32', shape: [rows, 2], data: Float32Array.from(values(r, rows * 2), (v) => v + 0.5) })],
  ['INT64', (r, rows) => ({ datatype: 'INT64', shape: [rows, 2], data: BigInt64Array.from(values(r, rows * 2), (v) => BigInt(v) * 10n ** 12n) })],
  ['FP16', (r, rows) => ({ datatype: 'FP16', shape: [rows, 3], data: Uint16Array.from(values(r, rows * 3), (v) => 0x3c00 + v) })],
  ['BOOL', (r, rows) => ({ datatype: 'BOOL', shape: [rows, 2], data: Uint8Array.from(values(r, rows * 2), (v) => (v + r) % 2) })],
  ['BYTES', (r, rows) => ({ datatype: 'BYTES', shape: [rows], data: values(r, rows).map((v) => `req${r}-é-${v}`) })],
];

for (const [name, make] of cases) {
  test(`${name}: concat along dim 0, then split back gives each request exactly its rows`, () => {
    const requests = requestsOf(make);
    const batch = concatBatch(requests);
    const x = batch.x as Tensor;
    assert.equal(x.datatype, name);
    assert.deepEqual(x.shape, [6, ...(requests[0]?.x?.shape.slice(1) ?? [])]);
    assert.deepEqual(Array.from(x.data as ArrayLike<unknown>), requests.flatMap((r) => Array.from(r.x?.data as ArrayLike<unknown>)));
    assert.equal(x.data.constructor, requests[0]?.x?.data.constructor);

    const parts = splitBatch(batch, ROWS);
    assert.equal(parts.length, 3);
    parts.forEach((part, i) => assert.deepEqual(part, requests[i]));
  });
}

test('the batch owns fresh buffers (transferable) even when a request holds a view', () => {
  const backing = new Float32Array([9, 1, 2, 9]);
  const view: Tensor = { datatype: 'FP32', shape: [1, 2], data: backing.subarray(1, 3) };
  const other: Tensor = { datatype: 'FP32', shape: [1, 2], data: new Float32Array([3, 4]) };
  const data = (concatBatch([{ x: view }, { x: other }]).x as Tensor).data as Float32Array;
  assert.deepEqual(Array.from(data), [1, 2, 3, 4]);
  assert.equal(data.byteOffset, 0);
  assert.equal(data.byteLength, data.buffer.byteLength);
});

test('split parts are copies: each owns its buffer, and the batch result can be reused', () => {
  const outputs: NamedTensors = { y: { datatype: 'FP32', shape: [3, 1], data: new Float32Array([1, 2, 3]) } };
  const parts = splitBatch(outputs, [1, 2]);
  (outputs.y?.data as Float32Array).fill(0);
  const second = parts[1]?.y?.data as Float32Array;
  assert.deepEqual(Array.from(second), [2, 3]);
  assert.equal(second.byteLength, second.buffer.byteLength);
});

test('split handles several outputs, zero-row requests and rank-1 outputs', () => {
  const outputs: NamedTensors = {
    probs: { datatype: 'FP32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    label: { datatype: 'INT64', shape: [3], data: new BigInt64Array([7n, 8n, 9n]) },
  };
  const [a, empty, b] = splitBatch(outputs, [2, 0, 1]);
  assert.deepEqual(Array.from(a?.probs?.data as Float32Array), [1, 2, 3, 4]);
  assert.deepEqual(a?.label, { datatype: 'INT64', shape: [2], data: new BigInt64Array([7n, 8n]) });
  assert.deepEqual(empty?.probs?.shape, [0, 2]);
  assert.equal(empty?.label?.data.length, 0);
  assert.deepEqual(Array.from(b?.probs?.data as Float32Array), [5, 6]);
});

test('an output whose dim 0 is not the batch is refused with a clear error', () => {
  const notBatched: NamedTensors = { stats: { datatype: 'FP32', shape: [4], data: new Float32Array(4) } };
  assert.throws(() => splitBatch(notBatched, [2, 3]), (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, 'MODELGATE_ERR_RUNTIME');
    assert.match(error.message, /output "stats" has shape \[4\].*batch of 5 rows/);
    return true;
  });
  const scalar: NamedTensors = { s: { datatype: 'FP32', shape: [], data: new Float32Array(1) } };
  assert.throws(() => splitBatch(scalar, [1]), /output "s"/);
});

test('concat refuses requests that do not match (the shapeKey should have kept them apart)', () => {
  const a: NamedTensors = { x: { datatype: 'FP32', shape: [1, 2], data: new Float32Array(2) } };
  const b: NamedTensors = { x: { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) } };
  const c: NamedTensors = { x: { datatype: 'FP64', shape: [1, 2], data: new Float64Array(2) } };
  assert.throws(() => concatBatch([a, b]), /input "x" differs/);
  assert.throws(() => concatBatch([a, c]), /input "x" differs/);
  assert.throws(() => concatBatch([a, {}]), /input "x" differs/);
});

test('requestRows reads the shared dim 0; shapeKey separates what cannot share a batch', () => {
  const f = (shape: number[]): Tensor => ({ datatype: 'FP32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  assert.equal(requestRows({ a: f([3, 2]), b: f([3]) }), 3);
  assert.throws(() => requestRows({ a: f([3, 2]), b: f([2]) }), /input "b": batch dimension 2 differs/);
  assert.throws(() => requestRows({ a: f([]) }), /input "a": expected a batch dimension/);

  const key = shapeKey({ a: f([3, 2]), b: f([3]) }, ['y']);
  assert.equal(shapeKey({ b: f([1]), a: f([1, 2]) }, ['y']), key, 'batch size and key order do not matter');
  assert.notEqual(shapeKey({ a: f([3, 4]), b: f([3]) }, ['y']), key, 'non-batch dims matter');
  assert.notEqual(shapeKey({ a: { ...f([3, 2]), datatype: 'FP64' }, b: f([3]) }, ['y']), key, 'datatypes matter');
  assert.notEqual(shapeKey({ a: f([3, 2]), b: f([3]) }, ['y', 'z']), key, 'requested outputs matter');
});
