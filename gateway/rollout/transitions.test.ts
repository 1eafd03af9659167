import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from './decide.ts';
import { parseRolloutSpec } from './rollout-spec.ts';
import { parseRolloutState } from './rollout-state.ts';
import { abort, applyDecision, pause, promoteNow, resume, RolloutTransitionError, startRollout } from './transitions.ts';

const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number): number => T0 + seconds * 1000;
const spec = parseRolloutSpec({ model: 'iris', baseline: 1, candidate: 2 });
const decision = (action: Decision['action']): Decision => ({ action, reason: `test ${action}`, gates: [] });

test('start: running at the first step, one history entry, the window opening now', () => {
  const state = startRollout(spec, T0);
  assert.equal(state.status, 'running');
  assert.equal(state.step, 0);
  assert.equal(state.weight, 5);
  assert.equal(state.stepStartedAt, T0);
  assert.deepEqual(state.history, [{ at: T0, action: 'start', from: null, to: { status: 'running', step: 0, weight: 5 }, reason: 'rollout started', gates: [] }]);
});

test('applyDecision: advance moves a step, promote ends at 100, rollback at 0, wait changes nothing', () => {
  const start = startRollout(spec, T0);
  assert.equal(applyDecision(start, decision('wait'), at(60)), start);

  const second = applyDecision(start, decision('advance'), at(300));
  assert.deepEqual([second.status, second.step, second.weight, second.stepStartedAt], ['running', 1, 25, at(300)]);
  assert.deepEqual(second.history.at(-1), { at: at(300), action: 'advance', from: { status: 'running', step: 0, weight: 5 }, to: { status: 'running', step: 1, weight: 25 }, reason: 'test advance', gates: [] });
  assert.equal(start.history.length, 1, 'the input state is not modified');

  const third = applyDecision(second, decision('advance'), at(600));
  assert.throws(() => applyDecision(third, decision('advance'), at(900)), /cannot advance past step 3 of 4/);
  const promoted = applyDecision(third, decision('promote'), at(900));
  assert.deepEqual([promoted.status, promoted.step, promoted.weight], ['promoted', 3, 100]);

  const rolledBack = applyDecision(second, decision('rollback'), at(400));
  assert.deepEqual([rolledBack.status, rolledBack.step, rolledBack.weight], ['rolled_back', 1, 0]);
  assert.throws(() => applyDecision(rolledBack, decision('rollback'), at(500)), RolloutTransitionError);
});

test('pause keeps weight and window; resume restarts the window; the controller may still roll back a paused rollout', () => {
  const second = applyDecision(startRollout(spec, T0), decision('advance'), at(300));
  const paused = pause(second, at(400));
  assert.deepEqual([paused.status, paused.weight, paused.stepStartedAt], ['paused', 25, at(300)]);
  assert.equal(paused.history.at(-1)?.reason, 'paused by operator');
  assert.throws(() => applyDecision(paused, decision('advance'), at(500)), /cannot advance a rollout that is paused/);
  assert.throws(() => applyDecision(paused, decision('promote'), at(500)), RolloutTransitionError);
  assert.throws(() => pause(paused, at(500)), /cannot pause a rollout that is paused/);

  const resumed = resume(paused, at(1000), 'latency checked by hand');
  assert.deepEqual([resumed.status, resumed.step, resumed.weight, resumed.stepStartedAt], ['running', 1, 25, at(1000)]);
  assert.equal(resumed.history.at(-1)?.reason, 'latency checked by hand');

  assert.equal(applyDecision(paused, decision('rollback'), at(500)).status, 'rolled_back');
});

test('manual commands: abort and promoteNow from running or paused; nothing leaves a final status', () => {
  const running = startRollout(spec, T0);
  const aborted = abort(running, at(10));
  assert.deepEqual([aborted.status, aborted.weight], ['aborted', 0]);
  const promoted = promoteNow(pause(running, at(10)), at(20));
  assert.deepEqual([promoted.status, promoted.step, promoted.weight], ['promoted', 3, 100]);
  assert.deepEqual(promoted.history.map((h) => h.action), ['start', 'pause', 'promote']);

  const rolledBack = applyDecision(running, decision('rollback'), at(30));
  for (const final of [aborted, promoted, rolledBack]) {
    assert.throws(() => resume(final, at(99)), (e: Error) => e instanceof RolloutTransitionError && e.code === 'MODELGATE_ERR_ROLLOUT_TRANSITION' && /cannot resume a rollout that is/.test(e.message));
    assert.throws(() => pause(final, at(99)), RolloutTransitionError);
    assert.throws(() => abort(final, at(99)), RolloutTransitionError);
    assert.throws(() => promoteNow(final, at(99)), RolloutTransitionError);
  }
  assert.throws(() => resume(running, at(99)), /cannot resume a rollout that is running \(allowed from paused\)/);
});

test('state survives JSON: stringify → parse gives the same state, verdicts included', () => {
  let state = startRollout(parseRolloutSpec({ model: 'iris', baseline: 1, candidate: 2, steps: [0, 50, 100], shadow: { share: 0.1 }, gates: { shadow_disagreement: {} } }), T0);
  state = applyDecision(state, {
    action: 'advance',
    reason: 'all 1 gates passed',
    gates: [{ gate: 'shadow_disagreement', status: 'pass', value: 0.01, threshold: 0.05, detail: 'shadow disagreement 1%' }],
  }, at(300));
  state = pause(state, at(400));
  const restored = parseRolloutState(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(restored, state);
  assert.equal(resume(restored, at(500)).status, 'running');
});

test('a stored state that breaks an invariant is refused on restart', () => {
  const json = JSON.parse(JSON.stringify(startRollout(spec, T0)));
  assert.throws(() => parseRolloutState({ ...json, weight: 50 }), /weight: expected 5 for a running rollout at step 0/);
  assert.throws(() => parseRolloutState({ ...json, step: 4 }), /step: expected a step index below 4/);
  assert.throws(() => parseRolloutState({ ...json, status: 'rolled_back' }), /weight: expected 0/);
  assert.throws(() => parseRolloutState({ ...json, status: 'done' }), /status/);
  assert.throws(() => parseRolloutState({ ...json, history: [{ ...json.history[0], gates: [{ gate: 'x' }] }] }), /history\.0\.gates\.0/);
});
