import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../runtimes/tensor.ts';
import { GatewayError } from '../errors.ts';
import { numberToFp16Bits } from './fp16.ts';
import { encodePredictResponse } from './tfserving-response.ts';

const probs: Tensor = { datatype: 'FP32', shape: [2, 3], data: new Float32Array([0.5, 0.25, 0.25, 1, 0, -0]) };
const label: Tensor = { datatype: 'INT64', shape: [2], data: new BigInt64Array([9007199254740993n, -1n]) };

test('row format, one output: a list of per-row values', () => {
  assert.equal(encodePredictResponse('row', [{ name: 'probabilities', tensor: probs }], 2),
    '{"predictions":[[0.5,0.25,0.25],[1,0,-0]]}');
  assert.equal(encodePredictResponse('row', [{ name: 'label', tensor: label }], 2),
    '{"predictions":[9007199254740993,-1]}');
});

test('row format, several outputs: a list of objects keyed by output name', () => {
  assert.equal(encodePredictResponse('row', [{ name: 'probabilities', tensor: probs }, { name: 'label', tensor: label }], 2),
    '{"predictions":[{"probabilities":[0.5,0.25,0.25],"label":9007199254740993},{"probabilities":[1,0,-0],"label":-1}]}');
});

test('columnar format: the whole tensor, bare or keyed', () => {
  assert.equal(encodePredictResponse('columnar', [{ name: 'p', tensor: probs }]), '{"outputs":[[0.5,0.25,0.25],[1,0,-0]]}');
  assert.equal(encodePredictResponse('columnar', [{ name: 'p', tensor: probs }, { name: 'l', tensor: label }]),
    '{"outputs":{"p":[[0.5,0.25,0.25],[1,0,-0]],"l":[9007199254740993,-1]}}');
  assert.equal(encodePredictResponse('columnar', [{ name: 's', tensor: { datatype: 'FP64', shape: [], data: new Float64Array([0.1]) } }]),
    '{"outputs":0.1}');
  const cube: Tensor = { datatype: 'INT8', shape: [2, 2, 2], data: new Int8Array([1, 2, 3, 4, 5, 6, 7, 8]) };
  assert.equal(encodePredictResponse('columnar', [{ name: 'c', tensor: cube }]), '{"outputs":[[[1,2],[3,4]],[[5,6],[7,8]]]}');
  const empty: Tensor = { datatype: 'FP32', shape: [2, 0], data: new Float32Array(0) };
  assert.equal(encodePredictResponse('columnar', [{ name: 'e', tensor: empty }]), '{"outputs":[[],[]]}');
  assert.equal(encodePredictResponse('row', [{ name: 'e', tensor: empty }], 2), '{"predictions":[[],[]]}');
});

test('elements print as the v2 API prints them', () => {
  const special: Tensor = { datatype: 'FP32', shape: [1, 4], data: new Float32Array([NaN, Infinity, -Infinity, 0.1]) };
  assert.equal(encodePredictResponse('row', [{ name: 'f', tensor: special }], 1), '{"predictions":[["NaN","Infinity","-Infinity",0.10000000149011612]]}');
  const half: Tensor = { datatype: 'FP16', shape: [1, 2], data: new Uint16Array([numberToFp16Bits(-0.5), numberToFp16Bits(65504)]) };
  assert.equal(encodePredictResponse('row', [{ name: 'h', tensor: half }], 1), '{"predictions":[[-0.5,65504]]}');
  const bool: Tensor = { datatype: 'BOOL', shape: [1, 2], data: new Uint8Array([1, 0]) };
  assert.equal(encodePredictResponse('columnar', [{ name: 'b', tensor: bool }]), '{"outputs":[[true,false]]}');
  const u64: Tensor = { datatype: 'UINT64', shape: [1], data: new BigUint64Array([18446744073709551615n]) };
  assert.equal(encodePredictResponse('row', [{ name: 'u', tensor: u64 }], 1), '{"predictions":[18446744073709551615]}');
});

test('strings are JSON strings; outputs named *_bytes are {"b64": ...}', () => {
  const text: Tensor = { datatype: 'BYTES', shape: [1, 2], data: ['a"b', 'ü'] };
  assert.equal(encodePredictResponse('row', [{ name: 'out', tensor: text }], 1), '{"predictions":[["a\\"b","ü"]]}');
  assert.equal(encodePredictResponse('row', [{ name: 'image_bytes', tensor: text }], 1),
    `{"predictions":[[{"b64":"${Buffer.from('a"b').toString('base64')}"},{"b64":"w7w="}]]}`);
});

test('inconsistent output tensors are a 500 without detail', () => {
  const wrongRows = () => encodePredictResponse('row', [{ name: 'p', tensor: probs }], 3);
  assert.throws(wrongRows, (e: unknown) => e instanceof GatewayError && e.status === 500 && /"p": expected 3 rows/.test(e.message));
  const bad: Tensor = { datatype: 'FP32', shape: [2, 2], data: new Float32Array(3) };
  assert.throws(() => encodePredictResponse('columnar', [{ name: 'q', tensor: bad }]), (e: unknown) => e instanceof GatewayError && e.status === 500);
  const storage: Tensor = { datatype: 'INT64', shape: [1], data: new Int32Array(1) };
  assert.throws(() => encodePredictResponse('columnar', [{ name: 'q', tensor: storage }]), (e: unknown) => e instanceof GatewayError && e.status === 500);
});
