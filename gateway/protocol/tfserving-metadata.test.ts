import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelMetadata, modelStatus, TF_DTYPES } from './tfserving-metadata.ts';
import { DATATYPES } from '../../runtimes/tensor.ts';

test('states map to TF Serving states; a failed load carries its reason', () => {
  assert.deepEqual(modelStatus([
    { version: 3, state: 'UNAVAILABLE', reason: 'failed to load: bad model' },
    { version: 1, state: 'READY' },
    { version: 2, state: 'LOADING' },
    { version: 4, state: 'UNLOADING' },
    { version: 5, state: 'UNAVAILABLE', reason: 'unloaded' },
  ]), {
    model_version_status: [
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      { version: '2', state: 'LOADING', status: { error_code: 'OK', error_message: '' } },
      { version: '3', state: 'END', status: { error_code: 'UNKNOWN', error_message: 'failed to load: bad model' } },
      { version: '4', state: 'UNLOADING', status: { error_code: 'OK', error_message: '' } },
      { version: '5', state: 'END', status: { error_code: 'OK', error_message: '' } },
    ],
  });
});

test('every datatype has a TF dtype', () => {
  for (const datatype of DATATYPES) assert.match(TF_DTYPES[datatype], /^DT_[A-Z0-9]+$/);
  assert.equal(TF_DTYPES.FP32, 'DT_FLOAT');
  assert.equal(TF_DTYPES.BYTES, 'DT_STRING');
  assert.equal(TF_DTYPES.FP16, 'DT_HALF');
});

test('metadata: serving_default with dtypes and proto3-JSON dims', () => {
  const body = modelMetadata('iris', 2, {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: '__proto__', datatype: 'BYTES', shape: [] }],
  }) as any;
  assert.deepEqual(body.model_spec, { name: 'iris', signature_name: '', version: '2' });
  const def = body.metadata.signature_def.signature_def.serving_default;
  assert.equal(def.method_name, 'tensorflow/serving/predict');
  assert.deepEqual(def.inputs.input, {
    dtype: 'DT_FLOAT',
    tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '4', name: '' }], unknown_rank: false },
    name: 'input',
  });
  assert.equal(def.outputs.label.dtype, 'DT_INT64');
  assert.deepEqual(Object.keys(def.outputs), ['label', '__proto__']);
  assert.match(JSON.stringify(body), /"__proto__":\{"dtype":"DT_STRING","tensor_shape":\{"dim":\[\]/);
});
