import { evaluateGates, onFail } from './gates.ts';
import type { Observations } from './observations.ts';
import { isTerminal, type GateVerdict, type RolloutState } from './rollout-state.ts';

/**
 * The rollout controller's decision: pure, so the in-process controller (reading
 * prom-client's registry) and `modelgate rollout-controller` (reading Prometheus) run the
 * same code, and tests drive it with an injected clock. `applyDecision` (transitions.ts)
 * turns a decision into the next state.
 *
 * Rules, in order, with `elapsed` = now − state.stepStartedAt and
 * `deadline` = pause_after_intervals × interval_seconds (default 3 × interval):
 * 1. promoted / rolled_back / aborted: 'wait' (nothing left to decide).
 * 2. Either version below `min_samples` requests in this step: no verdict. 'wait', or
 *    'pause' once `elapsed` ≥ deadline (traffic too thin to judge; a human should look).
 * 3. A failing gate whose on_fail is 'rollback': 'rollback' at once, without waiting for the
 *    interval, and even while paused: a paused rollout still sends traffic to the candidate.
 * 4. Paused: 'wait' (only `resume` moves it on).
 * 5. A failing gate whose on_fail is 'pause' (input_drift by default): 'pause'.
 * 6. `elapsed` < interval_seconds: 'wait' (each step is observed for a whole interval).
 * 7. Some gate inconclusive: 'wait' for more evidence, 'pause' once `elapsed` ≥ deadline.
 * 8. Every gate passes: 'advance' to the next step, or 'promote' from the second-to-last
 *    step. The last step (100 %) is never observed: no baseline traffic would remain to
 *    compare with, so reaching it is the promotion.
 */

export type DecisionAction = 'wait' | 'advance' | 'promote' | 'rollback' | 'pause';

export interface Decision {
  action: DecisionAction;
  /** Why, in one line, for the history, the logs and the management API. */
  reason: string;
  /** The verdicts considered; empty when no gate was judged (rules 1–2). */
  gates: GateVerdict[];
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** Reasons of the given verdicts, `gate: detail; …`. */
function describe(verdicts: readonly GateVerdict[]): string {
  return verdicts.map((v) => `${v.gate}: ${v.detail}`).join('; ');
}

/**
 * Decides what to do with `state` given what was observed in its current step.
 * Precondition: `observations` cover [state.stepStartedAt, now] (see observations.ts).
 * `now` is milliseconds since the epoch.
 */
export function decide(state: RolloutState, observations: Observations, now: number): Decision {
  if (isTerminal(state.status)) return { action: 'wait', reason: `rollout is ${state.status}`, gates: [] };

  const spec = state.spec;
  const elapsedMs = now - state.stepStartedAt;
  const intervalMs = spec.interval_seconds * 1000;
  const deadlineMs = spec.pause_after_intervals * intervalMs;
  const pastDeadline = elapsedMs >= deadlineMs;
  const where = `step ${state.step + 1}/${spec.steps.length} (${state.weight}%)`;

  const { baseline, candidate } = observations;
  if (baseline.requests < spec.min_samples || candidate.requests < spec.min_samples) {
    const counts = `baseline ${baseline.requests}/${spec.min_samples}, candidate ${candidate.requests}/${spec.min_samples} requests after ${seconds(elapsedMs)}`;
    if (state.status === 'running' && pastDeadline) return { action: 'pause', reason: `too few samples at ${where}: ${counts} (limit ${seconds(deadlineMs)})`, gates: [] };
    return { action: 'wait', reason: `collecting samples at ${where}: ${counts}`, gates: [] };
  }

  const gates = evaluateGates(spec, observations);
  const failing = gates.filter((v) => v.status === 'fail');
  const toRollback = failing.filter((v) => onFail(spec, v.gate) === 'rollback');
  if (toRollback.length > 0) return { action: 'rollback', reason: `gate failed at ${where}: ${describe(toRollback)}`, gates };

  if (state.status === 'paused') return { action: 'wait', reason: `paused at ${where}; gates: ${failing.length} failing (pause), none to roll back`, gates };

  if (failing.length > 0) return { action: 'pause', reason: `gate failed at ${where}: ${describe(failing)}`, gates };

  if (elapsedMs < intervalMs) return { action: 'wait', reason: `observing ${where}: ${seconds(elapsedMs)} of ${seconds(intervalMs)}`, gates };

  const inconclusive = gates.filter((v) => v.status === 'inconclusive');
  if (inconclusive.length > 0) {
    const reason = `inconclusive at ${where} after ${seconds(elapsedMs)}: ${describe(inconclusive)}`;
    return pastDeadline ? { action: 'pause', reason, gates } : { action: 'wait', reason, gates };
  }

  const passed = gates.length > 0 ? `all ${gates.length} gates passed` : 'no gates configured';
  if (state.step >= spec.steps.length - 2) return { action: 'promote', reason: `${passed} at ${where}: promoting to 100%`, gates };
  return { action: 'advance', reason: `${passed} at ${where}: advancing to ${spec.steps[state.step + 1]}%`, gates };
}
