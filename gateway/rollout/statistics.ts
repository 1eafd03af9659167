import { chiSquareSurvival } from '../monitoring/drift/distributions.ts';
import type { TestResult } from '../monitoring/drift/metrics.ts';

/**
 * Hypothesis tests for comparing a candidate model version with its baseline during a
 * rollout. Pure functions, hand-written (three formulas do not justify a dependency);
 * checked against scipy's values in statistics.test.ts.
 *
 * Every p-value comes from the normal approximation; it is fine from about 8 observations
 * per side (Mann–Whitney) or 5 expected events per side (proportions), and the rollout
 * gates only run after `min_samples` requests per version, far above that.
 */

/** Which difference a test looks for. 'greater': the candidate's values are larger. */
export type Alternative = 'two-sided' | 'greater';

/**
 * P(Z ≥ z) for a standard normal Z. Uses P(|Z| ≥ z) = P(χ²₁ ≥ z²), whose tail the drift
 * module already computes to ~1e-10 relative, so deep tails keep their precision.
 */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const twoSided = chiSquareSurvival(z * z, 1);
  return z >= 0 ? twoSided / 2 : 1 - twoSided / 2;
}

export interface MannWhitneyResult extends TestResult {
  /**
   * U of the candidate: the number of (candidate, baseline) pairs where the candidate's
   * value is larger, ties counting ½. Ranges over [0, n₁·n₂]; n₁·n₂/2 means no difference.
   */
  statistic: number;
  /** statistic / (n₁·n₂): P(candidate > baseline) + ½·P(tie), the common-language effect size. */
  effect: number;
  /** The continuity-corrected z the p-value comes from (of |U − mean| when two-sided); 0 when all values tie. */
  z: number;
}

/**
 * Mann–Whitney U on ordered groups: `baseline[k]` and `candidate[k]` count the observations
 * in group k, groups in ascending order, observations in one group tied. This is how
 * Prometheus histograms are compared (a bucket is a group), and the raw-sample test
 * reduces to it by grouping equal values.
 *
 * Normal approximation with the tie correction of the variance,
 *   σ² = n₁n₂/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))),
 * and a continuity correction of ½ toward the mean: scipy's `mannwhitneyu(candidate,
 * baseline, method='asymptotic')`. Coarse groups only add ties, which lowers power but
 * keeps the test valid. Empty samples give NaN.
 */
export function mannWhitneyGrouped(baseline: ArrayLike<number>, candidate: ArrayLike<number>, alternative: Alternative = 'two-sided'): MannWhitneyResult {
  if (baseline.length !== candidate.length) throw new RangeError(`group counts differ: ${baseline.length} baseline, ${candidate.length} candidate`);
  let n1 = 0;
  let n2 = 0;
  let u = 0;
  let ties = 0;
  for (let k = 0; k < baseline.length; k++) {
    const b = baseline[k] as number;
    const c = candidate[k] as number;
    u += c * (n1 + b / 2); // each candidate value beats every lower baseline value, ties half
    const t = b + c;
    ties += Math.max(0, t * t * t - t); // rescaled histograms have fractional counts: t < 1 ties nothing
    n1 += b;
    n2 += c;
  }
  if (n1 === 0 || n2 === 0) return { statistic: Number.NaN, pValue: Number.NaN, effect: Number.NaN, z: Number.NaN };
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const effect = u / (n1 * n2);
  if (!(variance > 0)) return { statistic: u, pValue: 1, effect, z: 0 }; // all tied: no evidence
  // scipy's continuity correction: ½ off |U − mean| (two-sided) or off U − mean ('greater').
  const z = ((alternative === 'greater' ? u - mean : Math.abs(u - mean)) - 0.5) / Math.sqrt(variance);
  const pValue = alternative === 'greater' ? normalSurvival(z) : Math.min(1, 2 * normalSurvival(z));
  return { statistic: u, pValue, effect, z };
}

/**
 * Mann–Whitney U on raw samples (e.g. latencies in seconds): is the candidate's
 * distribution shifted against the baseline's (two-sided), or toward larger values
 * ('greater': the candidate is slower)? O((n₁ + n₂) log(n₁ + n₂)); inputs are not modified.
 */
export function mannWhitneyU(baseline: readonly number[], candidate: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const tagged = [
    ...baseline.map((value) => ({ value, candidate: false })),
    ...candidate.map((value) => ({ value, candidate: true })),
  ].sort((a, b) => a.value - b.value);
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < tagged.length; i++) {
    const item = tagged[i]!;
    if (i === 0 || item.value !== tagged[i - 1]!.value) {
      b.push(0);
      c.push(0);
    }
    const last = b.length - 1;
    if (item.candidate) c[last]! += 1;
    else b[last]! += 1;
  }
  return mannWhitneyGrouped(b, c, alternative);
}

/**
 * One-sided test that the candidate's error rate exceeds the baseline's by more than
 * `margin` (H₀: p_c − p_b ≤ margin; H₁: p_c − p_b > margin), the non-inferiority form of the
 * two-proportion z-test:
 *   z = (p̂_c − p̂_b − margin) / √(p̂_c(1 − p̂_c)/n_c + p̂_b(1 − p̂_b)/n_b).
 * The unpooled standard error is the right one here: under a nonzero margin the two rates
 * are not equal under H₀, so pooling them (the textbook margin-0 form) would be wrong.
 * With no variance at all (both rates 0 or 1) the sign of the difference decides: p = 0 or 1.
 * `statistic` is z; NaN when a side has no trials.
 */
export function twoProportionTest(baselineErrors: number, baselineTotal: number, candidateErrors: number, candidateTotal: number, margin = 0): TestResult {
  if (!(baselineTotal > 0) || !(candidateTotal > 0)) return { statistic: Number.NaN, pValue: Number.NaN };
  const pb = baselineErrors / baselineTotal;
  const pc = candidateErrors / candidateTotal;
  const difference = pc - pb - margin;
  const se = Math.sqrt((pc * (1 - pc)) / candidateTotal + (pb * (1 - pb)) / baselineTotal);
  if (!(se > 0)) return { statistic: difference > 0 ? Number.POSITIVE_INFINITY : 0, pValue: difference > 0 ? 0 : 1 };
  const z = difference / se;
  return { statistic: z, pValue: normalSurvival(z) };
}

/**
 * One-sided test that an observed rate exceeds `limit` (H₁: rate > limit): the one-proportion
 * z-test with the standard error under H₀, √(limit(1 − limit)/n). For shadow disagreement.
 */
export function proportionAboveTest(events: number, total: number, limit: number): TestResult {
  if (!(total > 0)) return { statistic: Number.NaN, pValue: Number.NaN };
  const rate = events / total;
  const se = Math.sqrt((limit * (1 - limit)) / total);
  if (!(se > 0)) return { statistic: rate > limit ? Number.POSITIVE_INFINITY : 0, pValue: rate > limit ? 0 : 1 };
  const z = (rate - limit) / se;
  return { statistic: z, pValue: normalSurvival(z) };
}
