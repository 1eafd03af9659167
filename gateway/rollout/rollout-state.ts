import { z } from 'zod';
import { describeConfigIssues } from '../repository/model-config.ts';
import { GATE_NAMES, rolloutSpecSchema } from './rollout-spec.ts';

/**
 * The state of one rollout: plain JSON, so it survives a restart of the gateway or of the
 * controller (written after every transition, parsed back with `parseRolloutState`).
 * Times are milliseconds since the epoch (`Date.now()`); weights are percent to the candidate.
 *
 * Invariants (checked on parse): while `running` or `paused` the weight is the current
 * step's; `promoted` is the last step at 100; `rolled_back` and `aborted` carry weight 0.
 * Routing reads `weight` and `spec.shadow`; shadowing stops once the status is terminal.
 */

export const ROLLOUT_STATUSES = ['running', 'paused', 'promoted', 'rolled_back', 'aborted'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];
/** No transition leaves these. */
export const TERMINAL_STATUSES: readonly RolloutStatus[] = ['promoted', 'rolled_back', 'aborted'];

/**
 * One gate's judgement. `value` and `threshold` are null when not computable (JSON has no NaN
 * or Infinity); `detail` says in words what was measured, for the history and the logs.
 */
export const gateVerdictSchema = z.strictObject({
  gate: z.enum(GATE_NAMES),
  status: z.enum(['pass', 'fail', 'inconclusive']),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  detail: z.string(),
});
export type GateVerdict = z.output<typeof gateVerdictSchema>;

const position = z.strictObject({
  status: z.enum(ROLLOUT_STATUSES),
  step: z.number().int().min(0),
  weight: z.number().min(0).max(100),
});
export type RolloutPosition = z.output<typeof position>;

/** Everything that moves a rollout: the controller's decisions and the manual commands. */
export const TRANSITIONS = ['start', 'advance', 'promote', 'rollback', 'pause', 'resume', 'abort'] as const;
export type Transition = (typeof TRANSITIONS)[number];

export const historyEntrySchema = z.strictObject({
  at: z.number(),
  action: z.enum(TRANSITIONS),
  /** null for 'start'. */
  from: position.nullable(),
  to: position,
  reason: z.string(),
  /** The verdicts the decision rested on; empty for manual commands. */
  gates: z.array(gateVerdictSchema),
});
export type HistoryEntry = z.output<typeof historyEntrySchema>;

export const rolloutStateSchema = z.strictObject({
  spec: rolloutSpecSchema,
  status: z.enum(ROLLOUT_STATUSES),
  /** Index into spec.steps. */
  step: z.number().int().min(0),
  weight: z.number().min(0).max(100),
  /** When the current step began (or was resumed): its observation window starts here. */
  stepStartedAt: z.number(),
  history: z.array(historyEntrySchema),
}).superRefine((state, ctx) => {
  const steps = state.spec.steps;
  if (state.step >= steps.length) {
    ctx.addIssue({ code: 'custom', path: ['step'], message: `expected a step index below ${steps.length}` });
    return;
  }
  const expected = expectedWeight(state.status, steps, state.step);
  if (state.weight !== expected) ctx.addIssue({ code: 'custom', path: ['weight'], message: `expected ${expected} for a ${state.status} rollout at step ${state.step}` });
  if (state.status === 'promoted' && state.step !== steps.length - 1) ctx.addIssue({ code: 'custom', path: ['step'], message: 'expected the last step for a promoted rollout' });
});

export type RolloutState = z.output<typeof rolloutStateSchema>;

/** The weight a status implies at a step: the step's while live, 100 promoted, 0 otherwise. */
export function expectedWeight(status: RolloutStatus, steps: readonly number[], step: number): number {
  if (status === 'promoted') return 100;
  if (status === 'rolled_back' || status === 'aborted') return 0;
  return steps[step] ?? 0;
}

export function isTerminal(status: RolloutStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Reads a stored state back (`JSON.parse` output); throws an Error naming each bad field. */
export function parseRolloutState(raw: unknown, source = 'rollout state'): RolloutState {
  const parsed = rolloutStateSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${source}: ${describeConfigIssues(parsed.error)}`);
  return parsed.data;
}
