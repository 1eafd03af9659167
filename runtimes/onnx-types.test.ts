import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATATYPES } from './tensor.ts';
import { fromOrtType, toOrtType } from './onnx-types.ts';
import { protocolShape } from './tensor.ts';

test('KServe ↔ ORT element types', () => {
  const expected = {
    BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
    INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
    FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
  } as const;
  for (const dt of DATATYPES) {
    assert.equal(toOrtType(dt), expected[dt]);
    assert.equal(fromOrtType(expected[dt]), dt);
  }
  assert.equal(fromOrtType('bfloat16'), undefined);
  assert.equal(fromOrtType('int4'), undefined);
  assert.equal(fromOrtType('FP32'), undefined);
});

test('symbolic and unknown dims become -1', () => {
  assert.deepEqual(protocolShape(['batch', 4, -1, 'n', null, undefined]), [-1, 4, -1, -1, -1, -1]);
});
