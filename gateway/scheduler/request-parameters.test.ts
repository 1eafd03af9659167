import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchPolicy } from './batch-policy.ts';
import { validatePriority, validateTimeout } from './request-parameters.ts';

const policy: BatchPolicy = {
  maxBatchSize: 8,
  preferredBatchSizes: [],
  maxQueueDelayUs: 0,
  maxQueueSize: 0,
  defaultTimeoutUs: 5000,
  priorityLevels: 3,
  defaultPriority: 2,
};

test('parameters.priority: 1..levels, absent or 0 = the default, anything else refused naming the field', () => {
  assert.equal(validatePriority(undefined, policy), 2);
  assert.equal(validatePriority(0, policy), 2);
  assert.equal(validatePriority(1, policy), 1);
  assert.equal(validatePriority(3, policy), 3);
  for (const bad of [4, -1, 1.5, '1', null, Number.NaN]) {
    assert.throws(() => validatePriority(bad, policy), {
      code: 'MODELGATE_ERR_INVALID_INPUT',
      message: /^parameters\.priority: expected an integer from 1 \(highest\) to 3/,
    });
  }
  // Priorities off (0 levels): only the single level 1 (or 0 = default) is valid.
  const off = { ...policy, priorityLevels: 0, defaultPriority: 1 };
  assert.equal(validatePriority(1, off), 1);
  assert.throws(() => validatePriority(2, off), /from 1 \(highest\) to 1/);
});

test('parameters.timeout: µs that may only lower the default; 0 or absent = the default', () => {
  assert.equal(validateTimeout(undefined, policy), 5000);
  assert.equal(validateTimeout(0, policy), 5000);
  assert.equal(validateTimeout(1000, policy), 1000);
  assert.equal(validateTimeout(9000, policy), 5000, 'may only lower the default');
  assert.equal(validateTimeout(9000, { ...policy, defaultTimeoutUs: 0 }), 9000, 'no default: the request sets it');
  assert.equal(validateTimeout(0, { ...policy, defaultTimeoutUs: 0 }), 0, 'none at all');
  for (const bad of [-1, 0.5, '10', Number.NaN, Infinity, {}]) {
    assert.throws(() => validateTimeout(bad, policy), {
      code: 'MODELGATE_ERR_INVALID_INPUT',
      message: /^parameters\.timeout: expected a non-negative integer number of microseconds, got /,
    });
  }
});
