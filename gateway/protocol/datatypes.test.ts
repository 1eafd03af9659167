import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATATYPES } from '../../runtimes/tensor.ts';
import {
  DATATYPE_INFO, allocateTensorData, byteSizeOf, hasStorageOf, isInRange,
} from './datatypes.ts';

test('byte sizes and storage', () => {
  const sizes = {
    BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8,
    FP16: 2, FP32: 4, FP64: 8, BYTES: undefined,
  } as const;
  for (const dt of DATATYPES) {
    assert.equal(byteSizeOf(dt), sizes[dt], dt);
    const data = allocateTensorData(dt, 3);
    assert.equal(data.length, 3);
    assert.ok(hasStorageOf(dt, data), dt);
  }
  assert.ok(allocateTensorData('INT64', 1) instanceof BigInt64Array);
  assert.ok(allocateTensorData('UINT64', 1) instanceof BigUint64Array);
  assert.ok(allocateTensorData('FP16', 1) instanceof Uint16Array);
  assert.ok(allocateTensorData('BOOL', 1) instanceof Uint8Array);
  assert.deepEqual(allocateTensorData('BYTES', 2), ['', '']);
  assert.equal(hasStorageOf('FP32', new Float64Array(1)), false);
  assert.equal(hasStorageOf('BYTES', new Uint8Array(1)), false);
});

test('integer ranges', () => {
  const cases: [keyof typeof DATATYPE_INFO, number | bigint, boolean][] = [
    ['UINT8', 0, true], ['UINT8', 255, true], ['UINT8', 256, false], ['UINT8', -1, false], ['UINT8', 1.5, false],
    ['INT8', -128, true], ['INT8', 127, true], ['INT8', 128, false], ['INT8', -129, false],
    ['UINT16', 65535, true], ['UINT16', 65536, false],
    ['INT16', -32768, true], ['INT16', 32768, false],
    ['UINT32', 4294967295, true], ['UINT32', 4294967296, false],
    ['INT32', -2147483648, true], ['INT32', 2147483647, true], ['INT32', 2147483648, false],
    ['INT32', 5n, true], ['INT32', 2n ** 31n, false],
    ['INT64', -(2n ** 63n), true], ['INT64', 2n ** 63n - 1n, true], ['INT64', 2n ** 63n, false],
    ['INT64', Number.MAX_SAFE_INTEGER, true], ['INT64', 2 ** 53, false], // unsafe number: maybe inexact
    ['UINT64', 2n ** 64n - 1n, true], ['UINT64', 2n ** 64n, false], ['UINT64', -1n, false], ['UINT64', 0, true],
    ['FP32', 1, false], ['BOOL', 1, false],
  ];
  for (const [dt, v, ok] of cases) assert.equal(isInRange(dt, v), ok, `${dt} ${v}`);
  assert.equal(DATATYPE_INFO.INT64.min, -9223372036854775808n);
  assert.equal(DATATYPE_INFO.UINT64.max, 18446744073709551615n);
});
