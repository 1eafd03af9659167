import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATE_NAMES, parseRolloutSpec } from './rollout-spec.ts';

const base = { model: 'iris', baseline: 1, candidate: 2 };

test('a minimal spec gets every default, the error and p99 gates included', () => {
  assert.deepEqual(parseRolloutSpec(base), {
    model: 'iris',
    baseline: 1,
    candidate: 2,
    steps: [5, 25, 50, 100],
    interval_seconds: 300,
    min_samples: 200,
    pause_after_intervals: 3,
    gates: {
      error_ratio: { max_increase: 0.01, alpha: 0.05, on_fail: 'rollback' },
      latency_p99: { max_ratio: 1.2, alpha: 0.05, on_fail: 'rollback' },
    },
  });
});

test('gates: {} means no gate; {} for one gate turns it on with its defaults', () => {
  assert.deepEqual(parseRolloutSpec({ ...base, gates: {} }).gates, {});
  const all = Object.fromEntries(GATE_NAMES.map((g) => [g, {}]));
  const spec = parseRolloutSpec({ ...base, gates: all, shadow: { share: 0.1 } });
  assert.deepEqual(Object.keys(spec.gates), [...GATE_NAMES]);
  assert.deepEqual(spec.gates.input_drift, { max_js: 0.1, on_fail: 'pause' });
  assert.deepEqual(spec.gates.latency_test, { alpha: 0.05, tolerance: 0.05, on_fail: 'rollback' });
  assert.deepEqual(spec.gates.shadow_disagreement, { max_rate: 0.05, alpha: 0.05, on_fail: 'rollback' });
  assert.deepEqual(spec.gates.output_divergence, { max_js: 0.1, alpha: 0.05, on_fail: 'rollback' });
});

test('a parsed spec parses back to itself (it is stored in the rollout state)', () => {
  const spec = parseRolloutSpec({ ...base, steps: [0, 10, 100], shadow: { share: 0.2 }, gates: { output_divergence: { max_js: 0.2 } } });
  assert.deepEqual(parseRolloutSpec(JSON.parse(JSON.stringify(spec))), spec);
});

test('bad specs are refused with the field and the expectation', () => {
  const bad: [unknown, RegExp][] = [
    [{ ...base, candidate: 1 }, /candidate: expected a version other than the baseline/],
    [{ ...base, steps: [5, 50, 25, 100] }, /steps\.2: expected steps to increase, got 50 then 25/],
    [{ ...base, steps: [5, 50] }, /steps: expected the last step to be 100/],
    [{ ...base, steps: [100] }, /steps/],
    [{ ...base, steps: [0, 50, 100] }, /steps\.0: a 0 % step needs `shadow`/],
    [{ ...base, gates: { shadow_disagreement: {} } }, /gates\.shadow_disagreement: needs `shadow`/],
    [{ ...base, gates: { error_ratio: { max_increase: 2 } } }, /gates\.error_ratio\.max_increase/],
    [{ ...base, gates: { latncy_p99: {} } }, /gates/],
    [{ ...base, baseline: '1' }, /baseline/],
    [{ ...base, min_samples: 0 }, /min_samples/],
    [{ ...base, shadow: { share: 0 } }, /shadow\.share/],
  ];
  for (const [raw, message] of bad) assert.throws(() => parseRolloutSpec(raw, 'rollout iris'), (e: Error) => e.message.startsWith('rollout iris: ') && message.test(e.message), JSON.stringify(raw));
});
