import type { Decision } from './decide.ts';
import type { RolloutSpec } from './rollout-spec.ts';
import { expectedWeight, type GateVerdict, type RolloutState, type RolloutStatus, type Transition } from './rollout-state.ts';

/**
 * The rollout state machine: pure functions from a state to the next one, each adding one
 * history entry. The controller applies its decisions with `applyDecision`; operators use
 * `pause`, `resume`, `abort` and `promoteNow` (management API). Nothing here mutates its input.
 *
 *   running ──advance──▶ running (next step)      running ──promote──▶ promoted
 *   running ──pause────▶ paused ──resume──▶ running (the step's window restarts)
 *   running | paused ──rollback (gates)──▶ rolled_back
 *   running | paused ──abort (operator)──▶ aborted
 *   running | paused ──promoteNow────────▶ promoted
 *
 * promoted, rolled_back and aborted are final: a new attempt is a new rollout.
 * An invalid transition throws RolloutTransitionError (management API: 409 Conflict).
 */

export class RolloutTransitionError extends Error {
  readonly code = 'MODELGATE_ERR_ROLLOUT_TRANSITION';

  constructor(message: string) {
    super(message);
    this.name = 'RolloutTransitionError';
  }
}

const LIVE: readonly RolloutStatus[] = ['running', 'paused'];

/** The first state of a rollout: running at the first step, its window opening at `now`. */
export function startRollout(spec: RolloutSpec, now: number, reason = 'rollout started'): RolloutState {
  const to = { status: 'running' as const, step: 0, weight: expectedWeight('running', spec.steps, 0) };
  return { spec, ...to, stepStartedAt: now, history: [{ at: now, action: 'start', from: null, to, reason, gates: [] }] };
}

/**
 * Moves `state` to `status` at `step` (weight implied), appending the history entry.
 * `allowed`: the statuses this transition may start from. A new step, a resume and the final
 * statuses restart `stepStartedAt` (the observation window); a pause keeps it, so the
 * window of the paused step still covers all its traffic.
 */
function transition(state: RolloutState, action: Transition, allowed: readonly RolloutStatus[], status: RolloutStatus, step: number, now: number, reason: string, gates: GateVerdict[] = []): RolloutState {
  if (!allowed.includes(state.status)) {
    throw new RolloutTransitionError(`cannot ${action} a rollout that is ${state.status} (allowed from ${allowed.join(' or ')})`);
  }
  const from = { status: state.status, step: state.step, weight: state.weight };
  const to = { status, step, weight: expectedWeight(status, state.spec.steps, step) };
  const stepStartedAt = action === 'pause' ? state.stepStartedAt : now;
  return { ...state, ...to, stepStartedAt, history: [...state.history, { at: now, action, from, to, reason, gates }] };
}

/**
 * The state after the controller's decision. 'wait' returns `state` itself (no history
 * entry: the controller decides every tick). Throws when the decision does not fit the state,
 * e.g. 'advance' on a paused rollout or past the second-to-last step.
 */
export function applyDecision(state: RolloutState, decision: Decision, now: number): RolloutState {
  const last = state.spec.steps.length - 1;
  const { reason, gates } = decision;
  switch (decision.action) {
    case 'wait':
      return state;
    case 'advance':
      if (state.step + 1 >= last) throw new RolloutTransitionError(`cannot advance past step ${state.step + 1} of ${last + 1}: the next step is the promotion`);
      return transition(state, 'advance', ['running'], 'running', state.step + 1, now, reason, gates);
    case 'promote':
      return transition(state, 'promote', ['running'], 'promoted', last, now, reason, gates);
    case 'rollback':
      return transition(state, 'rollback', LIVE, 'rolled_back', state.step, now, reason, gates);
    case 'pause':
      return transition(state, 'pause', ['running'], 'paused', state.step, now, reason, gates);
  }
}

/** Operator: freeze the current weight; the controller only rolls back from here. */
export function pause(state: RolloutState, now: number, reason = 'paused by operator'): RolloutState {
  return transition(state, 'pause', ['running'], 'paused', state.step, now, reason);
}

/** Operator: continue a paused rollout at its step, observing it afresh from `now`. */
export function resume(state: RolloutState, now: number, reason = 'resumed by operator'): RolloutState {
  return transition(state, 'resume', ['paused'], 'running', state.step, now, reason);
}

/** Operator: stop the rollout and send all traffic back to the baseline. */
export function abort(state: RolloutState, now: number, reason = 'aborted by operator'): RolloutState {
  return transition(state, 'abort', LIVE, 'aborted', state.step, now, reason);
}

/** Operator: skip the remaining steps and send all traffic to the candidate. */
export function promoteNow(state: RolloutState, now: number, reason = 'promoted by operator'): RolloutState {
  return transition(state, 'promote', LIVE, 'promoted', state.spec.steps.length - 1, now, reason);
}
