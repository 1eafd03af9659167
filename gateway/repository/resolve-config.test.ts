import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSignature, AUTOCOMPLETE_MAX_BATCH_SIZE } from './resolve-config.ts';
import type { TensorSpec } from '../../runtimes/tensor.ts';

const model = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }] as TensorSpec[],
  outputs: [
    { name: 'p', datatype: 'FP32', shape: [-1, 3] },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ] as TensorSpec[],
};

test('without a config everything is auto-completed and batching is enabled', () => {
  const s = resolveSignature(undefined, model);
  assert.equal(s.maxBatchSize, AUTOCOMPLETE_MAX_BATCH_SIZE);
  assert.deepEqual(s.inputs, model.inputs);
  assert.deepEqual(s.outputs, model.outputs);
});

test('a model with a fixed first dim does not batch', () => {
  const fixed = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }] as TensorSpec[], outputs: model.outputs };
  assert.equal(resolveSignature(undefined, fixed).maxBatchSize, 0);
  assert.throws(() => resolveSignature({ max_batch_size: 8 }, fixed), /variable first \(batch\) dimension/);
});

test('config dims leave out the batch dim and may narrow the outputs', () => {
  const s = resolveSignature({
    max_batch_size: 8,
    input: [{ name: 'x', datatype: 'FP32', dims: [4] }],
    output: [{ name: 'label', datatype: 'INT64', dims: [] }],
  }, model);
  assert.equal(s.maxBatchSize, 8);
  assert.deepEqual(s.inputs[0]?.shape, [-1, 4]);
  assert.deepEqual(s.outputs.map((o) => o.name), ['label']);
});

test('config that disagrees with the model names what disagrees', () => {
  assert.throws(() => resolveSignature({ input: [{ name: 'y', datatype: 'FP32', dims: [4] }] }, model), /input\[0\] "y": the model has no such input \(it has "x"\)/);
  assert.throws(() => resolveSignature({ input: [{ name: 'x', datatype: 'FP64', dims: [4] }] }, model), /datatype FP64 but the model declares FP32/);
  assert.throws(() => resolveSignature({ input: [{ name: 'x', datatype: 'FP32', dims: [5] }] }, model), /shape \[-1, 5\] .* does not fit the model's \[-1, 4\]/);
  assert.throws(() => resolveSignature({ max_batch_size: 0, input: [{ name: 'x', datatype: 'FP32', dims: [4] }] }, model), /does not fit/);
});
