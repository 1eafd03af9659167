import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disagrees } from './shadow-compare.ts';

const t = (datatype: 'FP32' | 'INT64', shape: number[], data: number[]) => ({
  datatype, shape, data: datatype === 'INT64' ? BigInt64Array.from(data.map(BigInt)) : Float32Array.from(data),
});

test('classification: labels compared exactly, class scores by arg-max', () => {
  assert.equal(disagrees({ label: t('INT64', [2], [0, 2]) }, { label: t('INT64', [2], [0, 2]) }, 0.05), false);
  assert.equal(disagrees({ label: t('INT64', [2], [0, 2]) }, { label: t('INT64', [2], [0, 1]) }, 0.05), true);
  assert.equal(disagrees({ p: t('FP32', [1, 3], [0.1, 0.7, 0.2]) }, { p: t('FP32', [1, 3], [0.2, 0.5, 0.3]) }, 0.05), false, 'same winner');
  assert.equal(disagrees({ p: t('FP32', [1, 3], [0.1, 0.7, 0.2]) }, { p: t('FP32', [1, 3], [0.5, 0.3, 0.2]) }, 0.05), true);
});

test('regression: relative error over the tolerance disagrees', () => {
  assert.equal(disagrees({ y: t('FP32', [2], [10, 20]) }, { y: t('FP32', [2], [10.2, 20]) }, 0.05), false);
  assert.equal(disagrees({ y: t('FP32', [2], [10, 20]) }, { y: t('FP32', [2], [11, 20]) }, 0.05), true);
  assert.equal(disagrees({ y: t('FP32', [2], [10, 20]) }, { y: t('FP32', [1], [10]) }, 0.05), true, 'shape differs');
  assert.equal(disagrees({ y: t('FP32', [2], [10, 20]) }, {}, 0.05), true, 'output missing');
});
