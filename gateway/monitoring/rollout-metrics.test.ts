import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createLogger } from '../logger.ts';
import { AuditLog } from '../management/audit-log.ts';
import { RolloutController, type RolloutEnvironment } from '../rollout/controller.ts';
import { Rng } from './drift/simulated-traffic.ts';
import type { Observations } from '../rollout/observations.ts';
import { canary, SAME, SimulatedWindow, type SimulatedCanary } from '../rollout/simulated-canary.ts';
import { registerRolloutMetrics } from './rollout-metrics.ts';

/**
 * The rollout metrics of a real controller, fed seeded synthetic traffic through its
 * environment (the same simulation as the decision tests) on an injected clock.
 */

const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number): number => T0 + seconds * 1000;
const SPEC = {
  model: 'iris', baseline: 1, candidate: 2, steps: [10, 50, 100], interval_seconds: 60, min_samples: 50,
  gates: {
    error_ratio: { max_increase: 0.02 }, latency_p99: { max_ratio: 1.5 }, latency_test: { alpha: 0.01 },
    input_drift: { max_js: 0.15 }, output_divergence: { max_js: 0.2 }, shadow_disagreement: { max_rate: 0.1 },
  },
  shadow: { share: 0.5 },
};

/** A controller whose environment observes `traffic` growing by `seconds` at the current weight on every look. */
function setup(traffic: SimulatedCanary) {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-rollout-metrics-'));
  mkdirSync(path.join(dir, 'iris'));
  const rng = new Rng(1);
  let window = new SimulatedWindow(rng, traffic);
  let windowStart = Number.NaN;
  let lookSeconds = 0;
  const environment: RolloutEnvironment = {
    root: dir,
    models: async () => [{ name: 'iris', directory: path.join(dir, 'iris') }],
    observe: async (state): Promise<Observations> => {
      if (state.stepStartedAt !== windowStart) {
        window = new SimulatedWindow(rng, traffic); // a new step: a new window, as the controller's
        windowStart = state.stepStartedAt;
      }
      return window.add(lookSeconds, state.weight).observe();
    },
    route: async () => {},
  };
  const log = createLogger('silent');
  const controller = new RolloutController(environment, new AuditLog(undefined, log), log);
  const registry = new Registry();
  registerRolloutMetrics(registry, () => controller);
  /** One decision after `seconds` more traffic. */
  const tick = async (now: number, seconds: number) => {
    lookSeconds = seconds;
    await controller.tick(now);
  };
  /** `name`'s series as `label=value,…` → value (labels in the order given). */
  const read = async (name: string, ...labels: string[]): Promise<Record<string, number>> => {
    const metric = await registry.getSingleMetric(name)!.get();
    return Object.fromEntries(metric.values.map((v) => [labels.map((l) => `${l}=${v.labels[l]}`).join(','), v.value]));
  };
  return { controller, tick, read, close: () => rmSync(dir, { recursive: true, force: true }) };
}

test('gate values and thresholds, weights, step and transition times follow the controller', async () => {
  const { controller, tick, read, close } = setup(canary({ shadowShare: 0.5, disagreementRate: 0.02 }));
  try {
    await controller.begin(SPEC, 'test', at(0));
    // Thresholds come from the spec: known before any verdict; values only once gates are judged.
    assert.deepEqual(await read('modelgate_rollout_gate_threshold', 'model', 'gate'), {
      'model=iris,gate=error_ratio': 0.02, 'model=iris,gate=latency_p99': 1.5, 'model=iris,gate=latency_test': 0.01,
      'model=iris,gate=input_drift': 0.15, 'model=iris,gate=output_divergence': 0.2, 'model=iris,gate=shadow_disagreement': 0.1,
    });
    assert.deepEqual(await read('modelgate_rollout_gate_value', 'gate'), {});
    assert.deepEqual(await read('modelgate_rollout_last_transition_timestamp_seconds', 'model', 'action'), { 'model=iris,action=start': at(0) / 1000 });
    assert.deepEqual(await read('modelgate_rollout_weight', 'version', 'role'), { 'version=2,role=candidate': 10, 'version=1,role=baseline': 90 });

    // 30 s in: enough samples, the interval not over: 'wait', with every gate judged.
    await tick(at(30), 30);
    const decision = controller.status('iris')!.decision!;
    assert.equal(decision.action, 'wait', decision.reason);
    assert.equal(decision.gates.length, 6, decision.reason);
    const values = await read('modelgate_rollout_gate_value', 'gate');
    const thresholds = await read('modelgate_rollout_gate_threshold', 'gate');
    for (const verdict of decision.gates) {
      assert.ok(verdict.value !== null, `${verdict.gate}: ${verdict.detail}`);
      assert.equal(values[`gate=${verdict.gate}`], verdict.value, verdict.gate);
      assert.equal(thresholds[`gate=${verdict.gate}`], verdict.threshold, `${verdict.gate}: the exported threshold is the one the verdict used`);
    }
    assert.ok(values['gate=shadow_disagreement']! > 0 && values['gate=shadow_disagreement']! < 0.1, `disagreement ${values['gate=shadow_disagreement']}`);
    assert.deepEqual(await read('modelgate_rollout_gate_status', 'gate'), Object.fromEntries(decision.gates.map((v) => [`gate=${v.gate}`, v.status === 'pass' ? 1 : v.status === 'fail' ? -1 : 0])));

    // The interval is over: advance. The new step has no samples yet: no verdict, so no values; thresholds stay.
    await tick(at(61), 31);
    assert.equal(controller.status('iris')!.state.step, 1);
    assert.deepEqual(await read('modelgate_rollout_step', 'model'), { 'model=iris': 1 });
    assert.deepEqual(await read('modelgate_rollout_weight', 'role'), { 'role=candidate': 50, 'role=baseline': 50 });
    assert.deepEqual(await read('modelgate_rollout_last_transition_timestamp_seconds', 'action'), { 'action=start': at(0) / 1000, 'action=advance': at(61) / 1000 });
    await tick(at(62), 0);
    assert.match(controller.status('iris')!.decision!.reason, /collecting samples/);
    assert.deepEqual(await read('modelgate_rollout_gate_value', 'gate'), {});
    assert.equal(Object.keys(await read('modelgate_rollout_gate_threshold', 'gate')).length, 6);
  } finally {
    close();
  }
});

test('a rolled back rollout keeps its failing verdict, its rollback time and weight 0', async () => {
  const { controller, tick, read, close } = setup(canary({ candidate: { ...SAME, errorRate: 0.3 }, shadowShare: 0.5 }));
  try {
    await controller.begin(SPEC, 'test', at(0));
    await tick(at(30), 30);
    assert.equal(controller.status('iris')!.state.status, 'rolled_back');
    const status = await read('modelgate_rollout_status', 'status');
    assert.equal(status['status=rolled_back'], 1);
    assert.equal(Object.values(status).reduce((a, b) => a + b, 0), 1, 'exactly one current status');
    assert.equal((await read('modelgate_rollout_gate_status', 'gate'))['gate=error_ratio'], -1);
    assert.ok((await read('modelgate_rollout_gate_value', 'gate'))['gate=error_ratio']! > 0.2);
    assert.deepEqual(await read('modelgate_rollout_weight', 'role'), { 'role=candidate': 0, 'role=baseline': 100 });
    assert.deepEqual(await read('modelgate_rollout_last_transition_timestamp_seconds', 'action'), { 'action=start': at(0) / 1000, 'action=rollback': at(30) / 1000 });
  } finally {
    close();
  }
});
