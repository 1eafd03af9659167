import { z } from 'zod';
import { describeConfigIssues } from '../repository/model-config.ts';

/**
 * A declared canary rollout: move a model's traffic from `baseline` to `candidate` in
 * steps, judging the candidate against the baseline at every step (see decide.ts).
 *
 * ```yaml
 * model: iris
 * baseline: 1
 * candidate: 2
 * steps: [5, 25, 50, 100]        # percent of traffic on the candidate; the default
 * interval_seconds: 300          # the least time spent observing a step
 * min_samples: 200               # requests per version per step before any verdict
 * gates:                         # omitted: error_ratio and latency_p99 with their defaults
 *   error_ratio: {max_increase: 0.01}
 *   latency_p99: {max_ratio: 1.2}
 *   output_divergence: {}        # {} turns a gate on with its defaults
 * shadow: {share: 0.1}           # optional: mirror 10 % of the baseline's requests
 * ```
 *
 * Validated once (management API, or a file); the parsed spec has every default filled
 * in, so it is stored in the rollout state as is and parses back to itself.
 */

/**
 * What a failing gate does. 'rollback' (the default) sends all traffic back to the
 * baseline; 'pause' freezes the weights for a human. `input_drift` defaults to 'pause':
 * drifted traffic says the world changed, not that the candidate is worse than the baseline.
 */
const onFail = z.enum(['rollback', 'pause']);
const alpha = z.number().gt(0).lt(1);
const jsDistance = z.number().gt(0).max(1);

const gatesSchema = z.strictObject({
  /** Candidate error rate − baseline error rate; fails when > max_increase with p < alpha. */
  error_ratio: z.strictObject({
    max_increase: z.number().min(0).max(1).default(0.01),
    alpha: alpha.default(0.05),
    on_fail: onFail.default('rollback'),
  }).optional(),
  /**
   * Candidate p99 / baseline p99 latency; fails above max_ratio when significant (p < alpha:
   * is more than 1 % of the candidate's traffic slower than max_ratio × the baseline's p99?).
   */
  latency_p99: z.strictObject({
    max_ratio: z.number().gt(0).default(1.2),
    alpha: alpha.default(0.05),
    on_fail: onFail.default('rollback'),
  }).optional(),
  /**
   * One-sided Mann–Whitney U on latencies: is the candidate slower than the baseline by more
   * than `tolerance` (0.05 = 5 %)? Fails when p < alpha. The tolerance makes H₀ "at most 5 %
   * slower", so neither a negligible slowdown on a big sample nor noise on a small one fails.
   */
  latency_test: z.strictObject({
    alpha: alpha.default(0.05),
    tolerance: z.number().min(0).default(0.05),
    on_fail: onFail.default('rollback'),
  }).optional(),
  /** Jensen–Shannon distance (base 2) of the candidate's inputs against its reference profile. */
  input_drift: z.strictObject({
    max_js: jsDistance.default(0.1),
    on_fail: onFail.default('pause'),
  }).optional(),
  /**
   * Jensen–Shannon distance between the baseline's and the candidate's output distributions;
   * fails above max_js when a χ² test of homogeneity agrees (p < alpha): small samples alone
   * put two draws of one distribution ~√((k − 1)/(4n·ln 2)) apart (0.13 for k = 10, n = 200).
   */
  output_divergence: z.strictObject({
    max_js: jsDistance.default(0.1),
    alpha: alpha.default(0.05),
    on_fail: onFail.default('rollback'),
  }).optional(),
  /** Share of shadowed requests where the candidate's answer differs; fails above max_rate (p < alpha). */
  shadow_disagreement: z.strictObject({
    max_rate: z.number().min(0).lt(1).default(0.05),
    alpha: alpha.default(0.05),
    on_fail: onFail.default('rollback'),
  }).optional(),
});

export const rolloutSpecSchema = z.strictObject({
  model: z.string().min(1),
  /** Version numbers as in the repository and the traffic policy (positive integers). */
  baseline: z.number().int().min(1),
  candidate: z.number().int().min(1),
  /** Percent of traffic on the candidate per step: increasing, ending at 100; 0 = shadow only. */
  steps: z.array(z.number().min(0).max(100)).min(2).default([5, 25, 50, 100]),
  /** The least time a step is observed before it may advance, in seconds. */
  interval_seconds: z.number().gt(0).default(300),
  /** Requests per version in the current step before any gate is judged. */
  min_samples: z.number().int().min(1).default(200),
  /**
   * A step that still lacks samples, or has inconclusive gates, after this many intervals
   * pauses for a human instead of waiting forever (1 = pause as soon as the interval ends).
   */
  pause_after_intervals: z.number().min(1).default(3),
  gates: gatesSchema.prefault({ error_ratio: {}, latency_p99: {} }),
  /** Mirror `share` of the baseline's requests to the candidate; its answers are compared, not returned. */
  shadow: z.strictObject({ share: z.number().gt(0).max(1) }).optional(),
}).superRefine((spec, ctx) => {
  if (spec.baseline === spec.candidate) ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'expected a version other than the baseline' });
  const steps = spec.steps;
  for (let i = 1; i < steps.length; i++) {
    if (!(steps[i]! > steps[i - 1]!)) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `expected steps to increase, got ${steps[i - 1]} then ${steps[i]}` });
  }
  if (steps[steps.length - 1] !== 100) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'expected the last step to be 100' });
  if (steps[0] === 0 && spec.shadow === undefined) ctx.addIssue({ code: 'custom', path: ['steps', 0], message: 'a 0 % step needs `shadow`: the candidate would get no traffic to judge' });
  if (spec.gates.shadow_disagreement && spec.shadow === undefined) ctx.addIssue({ code: 'custom', path: ['gates', 'shadow_disagreement'], message: 'needs `shadow`: without mirrored requests there is nothing to compare' });
});

/** A validated spec, every default filled in. */
export type RolloutSpec = z.output<typeof rolloutSpecSchema>;
/** What a user may write: defaults optional. */
export type RolloutSpecInput = z.input<typeof rolloutSpecSchema>;
export type GateConfigs = RolloutSpec['gates'];
export type GateName = keyof GateConfigs;

/** Gate names in the order they are evaluated and reported. */
export const GATE_NAMES = ['error_ratio', 'latency_p99', 'latency_test', 'input_drift', 'output_divergence', 'shadow_disagreement'] as const satisfies readonly GateName[];

/** Parses a declared rollout; throws an Error naming each bad field (`source: path: message`). */
export function parseRolloutSpec(raw: unknown, source = 'rollout'): RolloutSpec {
  const parsed = rolloutSpecSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${source}: ${describeConfigIssues(parsed.error)}`);
  return parsed.data;
}
