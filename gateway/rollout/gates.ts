import { compareLatency, errorRate, latencyCountAbove, latencyP99, outputDivergence, type Observations } from './observations.ts';
import type { GateConfigs, GateName, RolloutSpec } from './rollout-spec.ts';
import type { GateVerdict } from './rollout-state.ts';
import { proportionAboveTest, twoProportionTest } from './statistics.ts';

/**
 * The gates: each turns observations into a verdict on the candidate. One pattern for all:
 * - pass: the measured value is within its limit;
 * - fail: the value is beyond its limit, and where the gate has a test (`alpha`), the
 *   excess is also significant, so noise in a small sample does not roll back;
 * - inconclusive: beyond the limit but not (yet) significant, or not measurable at all.
 * decide.ts turns verdicts into an action. Preconditions: both versions have reached
 * `min_samples` requests (decide checks that first).
 */

type Check = Pick<GateVerdict, 'status' | 'value' | 'threshold' | 'detail'>;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const num = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));
const pct = (x: number): string => `${num(100 * x)}%`;
const points = (x: number): string => `${x >= 0 ? '+' : ''}${num(100 * x)} points`;
const p = (x: number): string => `p=${x < 1e-4 ? x.toExponential(1) : num(x)}`;

function errorRatioGate(o: Observations, c: NonNullable<GateConfigs['error_ratio']>, threshold: number): Check {
  const base = errorRate(o.baseline);
  const cand = errorRate(o.candidate);
  const increase = cand - base;
  const test = twoProportionTest(o.baseline.errors, o.baseline.requests, o.candidate.errors, o.candidate.requests, threshold);
  const rates = `candidate ${pct(cand)} vs baseline ${pct(base)} errors`;
  if (Number.isNaN(test.pValue)) return { status: 'inconclusive', value: null, threshold, detail: 'no requests to rate' };
  if (test.pValue < c.alpha) return { status: 'fail', value: increase, threshold, detail: `${rates}: ${points(increase)} exceeds ${points(threshold)} (${p(test.pValue)} < ${c.alpha})` };
  if (increase > threshold) return { status: 'inconclusive', value: increase, threshold, detail: `${rates}: ${points(increase)}, above ${points(threshold)} but not significant (${p(test.pValue)})` };
  return { status: 'pass', value: increase, threshold, detail: `${rates}: ${points(increase)}, within ${points(threshold)}` };
}

/**
 * Fails when the candidate's p99 exceeds max_ratio × the baseline's AND that is significant:
 * if the candidate's true p99 were ≤ T = max_ratio × baseline p99, at most 1 % of its requests
 * would be slower than T, so a one-sided proportion test on the share above T decides (the
 * binomial quantile test; T is taken as exact, the baseline usually having the larger sample).
 * A p99 from 200 requests rests on two of them: without the test it would flap.
 * Without samples or buckets (a given p99 only) the point estimate decides alone.
 */
function latencyP99Gate(o: Observations, c: NonNullable<GateConfigs['latency_p99']>, threshold: number): Check {
  const base = latencyP99(o.baseline.latency);
  const cand = latencyP99(o.candidate.latency);
  const ratio = cand / base;
  if (!(base > 0) || !Number.isFinite(ratio)) return { status: 'inconclusive', value: null, threshold, detail: `p99 not measurable (baseline ${num(base)} s, candidate ${num(cand)} s)` };
  const detail = `p99 candidate ${num(cand)} s vs baseline ${num(base)} s: ×${num(ratio)}`;
  if (!(ratio > threshold)) return { status: 'pass', value: ratio, threshold, detail: `${detail} within ×${threshold}` };
  const slow = latencyCountAbove(o.candidate.latency, threshold * base);
  if (slow === null) return { status: 'fail', value: ratio, threshold, detail: `${detail} exceeds ×${threshold}` };
  const test = proportionAboveTest(slow.above, slow.total, 0.01);
  const share = `${pct(slow.above / slow.total)} of candidate requests above ${num(threshold * base)} s`;
  return test.pValue < c.alpha
    ? { status: 'fail', value: ratio, threshold, detail: `${detail} exceeds ×${threshold}; ${share} (${p(test.pValue)})` }
    : { status: 'inconclusive', value: ratio, threshold, detail: `${detail} exceeds ×${threshold} but not significantly; ${share} (${p(test.pValue)})` };
}

function latencyTestGate(o: Observations, c: NonNullable<GateConfigs['latency_test']>, threshold: number): Check {
  const comparison = compareLatency(o.baseline.latency, o.candidate.latency, c.tolerance);
  if (comparison === null) return { status: 'inconclusive', value: null, threshold, detail: 'no latency samples, nor histograms with the same buckets, on both sides' };
  const { test, baselineMedian, candidateMedian, source } = comparison;
  const detail = `Mann–Whitney on ${source}: candidate slower than baseline +${pct(c.tolerance)} ${p(test.pValue)} (median ${num(candidateMedian)} s vs ${num(baselineMedian)} s)`;
  return test.pValue < threshold
    ? { status: 'fail', value: test.pValue, threshold, detail: `${detail} < ${threshold}` }
    : { status: 'pass', value: finiteOrNull(test.pValue), threshold, detail };
}

function inputDriftGate(o: Observations, threshold: number): Check {
  const drift = o.candidateInputDrift;
  if (drift === null || !Number.isFinite(drift)) return { status: 'inconclusive', value: null, threshold, detail: "the candidate's input drift was not measured" };
  return drift > threshold
    ? { status: 'fail', value: drift, threshold, detail: `candidate inputs drifted: JS ${num(drift)} > ${threshold}` }
    : { status: 'pass', value: drift, threshold, detail: `candidate inputs: JS ${num(drift)} ≤ ${threshold}` };
}

function outputDivergenceGate(o: Observations, c: NonNullable<GateConfigs['output_divergence']>, threshold: number): Check {
  const divergence = outputDivergence(o.baseline, o.candidate);
  if (divergence === null) return { status: 'inconclusive', value: null, threshold, detail: 'no output distribution observed on both sides' };
  const { output, distance, pValue } = divergence;
  const detail = `output "${output}": JS ${num(distance)} between candidate and baseline (χ² ${p(pValue)})`;
  if (!(distance > threshold)) return { status: 'pass', value: distance, threshold, detail: `${detail} ≤ ${threshold}` };
  return pValue < c.alpha
    ? { status: 'fail', value: distance, threshold, detail: `${detail} > ${threshold}` }
    : { status: 'inconclusive', value: distance, threshold, detail: `${detail} > ${threshold} but not significant` };
}

function shadowGate(o: Observations, c: NonNullable<GateConfigs['shadow_disagreement']>, threshold: number, minSamples: number): Check {
  const shadow = o.shadow;
  if (shadow === null || shadow.comparisons < minSamples) {
    return { status: 'inconclusive', value: null, threshold, detail: `${shadow?.comparisons ?? 0}/${minSamples} shadow comparisons` };
  }
  const rate = shadow.disagreements / shadow.comparisons;
  const detail = `shadow disagreement ${pct(rate)} of ${shadow.comparisons}`;
  if (!(rate > threshold)) return { status: 'pass', value: rate, threshold, detail: `${detail} ≤ ${pct(threshold)}` };
  const test = proportionAboveTest(shadow.disagreements, shadow.comparisons, threshold);
  return test.pValue < c.alpha
    ? { status: 'fail', value: rate, threshold, detail: `${detail} > ${pct(threshold)} (${p(test.pValue)})` }
    : { status: 'inconclusive', value: rate, threshold, detail: `${detail} > ${pct(threshold)} but not significant (${p(test.pValue)})` };
}

/** The verdict of every gate the spec configures, in GATE_NAMES order. */
export function evaluateGates(spec: RolloutSpec, observations: Observations): GateVerdict[] {
  const g = spec.gates;
  // Each gate judges against the limit gateThreshold reads (the one the metrics export).
  const limit = (gate: GateName): number => gateThreshold(spec, gate)!;
  const checks: [GateName, Check | undefined][] = [
    ['error_ratio', g.error_ratio && errorRatioGate(observations, g.error_ratio, limit('error_ratio'))],
    ['latency_p99', g.latency_p99 && latencyP99Gate(observations, g.latency_p99, limit('latency_p99'))],
    ['latency_test', g.latency_test && latencyTestGate(observations, g.latency_test, limit('latency_test'))],
    ['input_drift', g.input_drift && inputDriftGate(observations, limit('input_drift'))],
    ['output_divergence', g.output_divergence && outputDivergenceGate(observations, g.output_divergence, limit('output_divergence'))],
    ['shadow_disagreement', g.shadow_disagreement && shadowGate(observations, g.shadow_disagreement, limit('shadow_disagreement'), spec.min_samples)],
  ];
  return checks.flatMap(([gate, check]) => (check === undefined ? [] : [{
    gate,
    ...check,
    value: check.value === null ? null : finiteOrNull(check.value),
    threshold: check.threshold === null ? null : finiteOrNull(check.threshold),
  }]));
}

/**
 * The limit a configured gate holds its value against (the one evaluateGates judges with
 * and its verdicts report as `threshold`), straight from the spec, so it is known before
 * the first verdict; undefined when the gate is off. latency_test fails BELOW its limit
 * (a p-value under alpha).
 */
export function gateThreshold(spec: RolloutSpec, gate: GateName): number | undefined {
  const g = spec.gates;
  switch (gate) {
    case 'error_ratio': return g.error_ratio?.max_increase;
    case 'latency_p99': return g.latency_p99?.max_ratio;
    case 'latency_test': return g.latency_test?.alpha;
    case 'input_drift': return g.input_drift?.max_js;
    case 'output_divergence': return g.output_divergence?.max_js;
    case 'shadow_disagreement': return g.shadow_disagreement?.max_rate;
  }
}

/** What a failing gate asks for, per the spec ('rollback' unless configured otherwise). */
export function onFail(spec: RolloutSpec, gate: GateName): 'rollback' | 'pause' {
  return spec.gates[gate]?.on_fail ?? 'rollback';
}
