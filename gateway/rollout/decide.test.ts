import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../monitoring/drift/simulated-traffic.ts';
import { decide } from './decide.ts';
import { GATE_NAMES, parseRolloutSpec, type RolloutSpecInput } from './rollout-spec.ts';
import { canary, observeWindow, runRollout, SAME, type RolloutRun } from './simulated-canary.ts';
import { applyDecision, pause, startRollout } from './transitions.ts';

// Traffic: 20 requests/s, so the candidate reaches min_samples (200) at the 5 % step after 200 s.
const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number): number => T0 + seconds * 1000;
const ALL_GATES = Object.fromEntries(GATE_NAMES.filter((g) => g !== 'shadow_disagreement').map((g) => [g, {}]));
const specOf = (overrides: Partial<RolloutSpecInput> = {}) => parseRolloutSpec({ model: 'iris', baseline: 1, candidate: 2, gates: ALL_GATES, ...overrides });
const actions = (run: RolloutRun): string[] => run.state.history.map((h) => `${h.action}@${(h.at - T0) / 1000}s→${h.to.weight}%`);
const lastEntry = (run: RolloutRun) => run.state.history.at(-1)!;
const failed = (run: RolloutRun): string[] => lastEntry(run).gates.filter((g) => g.status === 'fail').map((g) => g.gate);

test('a good candidate advances through every step, one interval each, and is promoted', () => {
  for (const histograms of [false, true]) { // raw samples (in-process) and buckets (Prometheus)
    const run = runRollout(specOf(), canary({ histograms }));
    assert.deepEqual(actions(run), ['start@0s→5%', 'advance@300s→25%', 'advance@600s→50%', 'promote@900s→100%'], `histograms: ${histograms}`);
    assert.equal(run.state.status, 'promoted');
    for (const entry of run.state.history.slice(1)) {
      assert.deepEqual(entry.gates.map((g) => [g.gate, g.status]), Object.keys(ALL_GATES).map((g) => [g, 'pass']));
    }
    assert.match(lastEntry(run).reason, /all 5 gates passed at step 3\/4 \(50%\): promoting to 100%/);
    // before each interval ended the controller waited, with verdicts once samples sufficed
    const early = run.decisions.filter((d) => d.atSeconds < 300);
    assert.deepEqual(early.map((d) => d.action), ['wait', 'wait', 'wait', 'wait']);
    assert.match(early[0]!.reason, /collecting samples at step 1\/4 \(5%\): baseline \d+\/200, candidate 60\/200/);
    assert.match(early[3]!.reason, /observing step 1\/4 \(5%\): 240s of 300s/);
  }
});

test('a candidate with 10 % errors is rolled back at the first step as soon as min_samples is reached', () => {
  const run = runRollout(specOf(), canary({ candidate: { ...SAME, errorRate: 0.1 } }));
  assert.deepEqual(actions(run), ['start@0s→5%', 'rollback@240s→0%']);
  assert.deepEqual(run.decisions.map((d) => d.action), ['wait', 'wait', 'wait', 'rollback']); // 60, 120, 180 s: < 200 samples
  assert.deepEqual(failed(run), ['error_ratio']);
  assert.match(lastEntry(run).reason, /^gate failed at step 1\/4 \(5%\): error_ratio: candidate [\d.]+% vs baseline [\d.]+% errors/);
});

test('a candidate 30 % slower is rolled back on the latency gates', () => {
  const slow = canary({ candidate: { ...SAME, latencyScale: 1.3 } });
  const withTest = runRollout(specOf(), slow);
  assert.equal(withTest.state.status, 'rolled_back');
  assert.equal(withTest.state.step, 0);
  assert.ok(failed(withTest).includes('latency_test'), failed(withTest).join());

  const p99Only = runRollout(specOf({ gates: { latency_p99: {} } }), slow);
  assert.equal(p99Only.state.status, 'rolled_back');
  assert.deepEqual(failed(p99Only), ['latency_p99']);
  assert.match(lastEntry(p99Only).reason, /latency_p99: p99 candidate [\d.]+ s vs baseline [\d.]+ s: ×1\.[2-4]\d* exceeds ×1\.2/);
  // a 3 % slowdown is within both gates' tolerance
  assert.equal(runRollout(specOf(), canary({ candidate: { ...SAME, latencyScale: 1.03 } })).state.status, 'promoted');
});

test('a candidate whose outputs differ is rolled back on output divergence', () => {
  const run = runRollout(specOf(), canary({ candidate: { ...SAME, outputShares: [0.2, 0.3, 0.5] } }));
  assert.deepEqual(actions(run), ['start@0s→5%', 'rollback@240s→0%']);
  assert.deepEqual(failed(run), ['output_divergence']);
  assert.match(lastEntry(run).reason, /output "label": JS 0\.\d+ between candidate and baseline/);
});

test('shadow disagreement: a shadow-only first step judges the candidate on mirrored traffic', () => {
  const spec = specOf({ steps: [0, 10, 100], shadow: { share: 0.1 }, gates: { error_ratio: {}, shadow_disagreement: {} } });
  const bad = runRollout(spec, canary({ shadowShare: 0.1, disagreementRate: 0.15 }));
  assert.deepEqual(actions(bad), ['start@0s→0%', 'rollback@120s→0%']); // 2 comparisons/s: 240 ≥ 200 at 120 s
  assert.deepEqual(failed(bad), ['shadow_disagreement']);
  assert.match(lastEntry(bad).reason, /shadow disagreement 1\d\.\d+% of 240 > 5%/);

  const good = runRollout(spec, canary({ shadowShare: 0.1, disagreementRate: 0.01 }));
  assert.deepEqual(actions(good), ['start@0s→0%', 'advance@300s→10%', 'promote@600s→100%']);

  // enough live requests but fewer than min_samples comparisons: the shadow gate cannot judge yet
  const few = { ...observeWindow(new Rng(4), canary(), 10, 400), shadow: { comparisons: 150, disagreements: 150 } };
  const d = decide(startRollout(spec, T0), few, at(400));
  assert.deepEqual([d.action, d.gates.find((g) => g.gate === 'shadow_disagreement')?.status], ['wait', 'inconclusive']);
  assert.match(d.reason, /shadow_disagreement: 150\/200 shadow comparisons/);
});

test('too few samples: wait, then pause after pause_after_intervals × interval', () => {
  const run = runRollout(specOf(), canary({ rps: 1 })); // 0.05 candidate requests/s
  assert.deepEqual(actions(run), ['start@0s→5%', 'pause@900s→5%']);
  assert.ok(run.decisions.slice(0, -1).every((d) => d.action === 'wait' && d.gates.length === 0));
  assert.match(lastEntry(run).reason, /^too few samples at step 1\/4 \(5%\): baseline 855\/200, candidate 45\/200 requests after 900s \(limit 900s\)$/);
});

test('inconclusive gates: wait past the interval, pause at the deadline; never advance', () => {
  const spec = specOf({ gates: { error_ratio: {}, input_drift: {} } });
  const run = runRollout(spec, canary({ inputDrift: null }));
  assert.deepEqual(actions(run), ['start@0s→5%', 'pause@900s→5%']);
  const atInterval = run.decisions.find((d) => d.atSeconds === 300)!;
  assert.equal(atInterval.action, 'wait');
  assert.match(atInterval.reason, /^inconclusive at step 1\/4 \(5%\) after 300s: input_drift: the candidate's input drift was not measured$/);
  assert.equal(lastEntry(run).gates.find((g) => g.gate === 'input_drift')?.value, null);
});

test('input drift fails to a pause by default, not a rollback; a paused rollout only waits or rolls back', () => {
  const spec = specOf({ gates: { error_ratio: {}, input_drift: {} } });
  const state = startRollout(spec, T0);
  const drifted = { ...observeWindow(new Rng(5), canary(), 5, 400), candidateInputDrift: 0.3 };
  const d = decide(state, drifted, at(400));
  assert.equal(d.action, 'pause');
  assert.match(d.reason, /input_drift: candidate inputs drifted: JS 0\.3 > 0\.1/);

  const paused = applyDecision(state, d, at(400));
  assert.equal(decide(paused, drifted, at(2000)).action, 'wait', 'a pause lasts until an operator resumes');
  const failing = observeWindow(new Rng(6), canary({ candidate: { ...SAME, errorRate: 0.2 } }), 5, 600);
  assert.equal(decide(paused, failing, at(2000)).action, 'rollback', 'candidate traffic still flows while paused');
  assert.equal(decide(pause(startRollout(spec, T0), at(10)), failing, at(600)).action, 'rollback');
});

test('final rollouts only wait; promote comes straight from the second-to-last step', () => {
  const window = observeWindow(new Rng(7), canary(), 10, 400);
  const twoSteps = startRollout(specOf({ steps: [10, 100] }), T0);
  assert.equal(decide(twoSteps, window, at(299)).action, 'wait');
  const promote = decide(twoSteps, window, at(300));
  assert.equal(promote.action, 'promote');
  const promoted = applyDecision(twoSteps, promote, at(300));
  assert.deepEqual(decide(promoted, window, at(400)), { action: 'wait', reason: 'rollout is promoted', gates: [] });
});

test('without a gate the rollout advances on time alone; verdicts stay JSON-safe', () => {
  const run = runRollout(specOf({ gates: {} }), canary());
  assert.deepEqual(actions(run), ['start@0s→5%', 'advance@300s→25%', 'advance@600s→50%', 'promote@900s→100%']);
  assert.match(lastEntry(run).reason, /^no gates configured/);

  // no latency data at all: p99 not measurable → null, not NaN
  const window = observeWindow(new Rng(8), canary(), 5, 400);
  window.baseline.latency = {};
  const verdicts = decide(startRollout(specOf(), T0), window, at(400)).gates;
  const p99 = verdicts.find((g) => g.gate === 'latency_p99')!;
  assert.deepEqual([p99.status, p99.value], ['inconclusive', null]);
  assert.deepEqual(JSON.parse(JSON.stringify(verdicts)), verdicts);
});
