import { chiSquareSurvival, kolmogorovSurvival } from './distributions.ts';

/**
 * Drift statistics between a reference histogram and a live one, both over the same bins
 * (see the bin contract in `reference-profile.ts`). Pure functions, O(bins), no allocation.
 *
 * Every function takes the reference `shares` (summing to 1) and the live `counts` (raw
 * counts per bin; shares are counts / total). With no live count at all the result is NaN.
 * Being computed from bins, the numeric statistics see the data at bin resolution: a change
 * inside one bin is invisible, and KS / Wasserstein are lower bounds of their raw-data values.
 */

/**
 * Share that stands in for an empty bin in PSI (on either side), as Evidently does (0.0001):
 * PSI is infinite when a bin is empty on one side only. Effect: a bin with live share q and no
 * reference share contributes q·ln(q / 1e-4), e.g. 0.0057 for q = 0.002.
 */
export const PSI_EPSILON = 1e-4;

function total(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i] as number;
  return n;
}

/**
 * Population Stability Index Σ (q − p)·ln(q / p), p the reference share, q the live share,
 * natural log, zero shares replaced by `epsilon`. Common reading: < 0.1 stable, 0.1–0.2 a
 * moderate shift, ≥ 0.2 a significant one.
 */
export function psi(shares: ArrayLike<number>, counts: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  const n = total(counts);
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < shares.length; i++) {
    const p = (shares[i] as number) || epsilon;
    const q = (counts[i] as number) / n || epsilon;
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}

/**
 * Jensen–Shannon distance in base 2: sqrt(JSD), JSD = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2,
 * with log2 so the distance lies in [0, 1] (0 identical, 1 disjoint). This is scipy's
 * `jensenshannon(p, q, base=2)`; scipy's default (natural log) gives values √ln2 ≈ 0.83 times
 * these. Needs no epsilon: 0·log 0 = 0.
 */
export function jensenShannonDistance(shares: ArrayLike<number>, counts: ArrayLike<number>): number {
  const n = total(counts);
  if (n === 0) return Number.NaN;
  let divergence = 0;
  for (let i = 0; i < shares.length; i++) {
    const p = shares[i] as number;
    const q = (counts[i] as number) / n;
    const m = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log2(p / m);
    if (q > 0) divergence += 0.5 * q * Math.log2(q / m);
  }
  return Math.sqrt(Math.min(1, Math.max(0, divergence)));
}

/**
 * Wasserstein-1 (earth mover's) distance divided by the reference std, as Evidently's
 * `wasserstein` test (threshold 0.1): a pure shift of d standard deviations scores ≈ d.
 * Each bin's mass sits at one representative point `points[i]` (non-decreasing): the profile's
 * per-bin reference mean (`centers`), which for the open-ended outer bins is the mean of the
 * reference tail rather than an edge or the min/max, so tails are neither ignored nor
 * over-weighted. Then W1 = Σ_i |P(i) − Q(i)|·(x(i+1) − x(i)) over the cumulative shares P, Q.
 * Live values beyond the reference range count at their outer bin's point, so large shifts
 * are under-estimated (a shift of 1 sd scores about 0.9). A constant reference (std 0) divides by 1.
 */
export function wassersteinNormed(shares: ArrayLike<number>, counts: ArrayLike<number>, points: ArrayLike<number>, std: number): number {
  const n = total(counts);
  if (n === 0) return Number.NaN;
  let p = 0;
  let q = 0;
  let distance = 0;
  for (let i = 0; i + 1 < shares.length; i++) {
    p += shares[i] as number;
    q += (counts[i] as number) / n;
    distance += Math.abs(p - q) * ((points[i + 1] as number) - (points[i] as number));
  }
  return distance / (std > 0 ? std : 1);
}

export interface TestResult {
  statistic: number;
  /** Probability of a statistic at least this large if live data came from the reference distribution. */
  pValue: number;
}

/**
 * Two-sample Kolmogorov–Smirnov on binned CDFs: D = max over bin edges of |P − Q|.
 * p-value: the asymptotic Kolmogorov distribution at (√ne + 0.12 + 0.11/√ne)·D (Stephens'
 * correction), ne = N·M/(N + M) with N = `referenceCount` (0 = unknown: one-sample, ne = M).
 * Binning can only lower D, so the p-value is conservative.
 */
export function kolmogorovSmirnov(shares: ArrayLike<number>, counts: ArrayLike<number>, referenceCount = 0): TestResult {
  const m = total(counts);
  if (m === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  let p = 0;
  let q = 0;
  let d = 0;
  for (let i = 0; i + 1 < shares.length; i++) {
    p += shares[i] as number;
    q += (counts[i] as number) / m;
    d = Math.max(d, Math.abs(p - q));
  }
  const ne = referenceCount > 0 ? (referenceCount * m) / (referenceCount + m) : m;
  const root = Math.sqrt(ne);
  return { statistic: d, pValue: kolmogorovSurvival((root + 0.12 + 0.11 / root) * d) };
}

/**
 * Pearson chi-square test of the live counts against the reference, for categorical bins.
 * With `referenceCount` N > 0, the two-sample test of homogeneity on the 2 × k table
 * (reference counts = shares·N, live counts): it accounts for the reference's own sampling
 * noise. With N = 0 (unknown), goodness of fit against the shares, as Evidently's
 * `chisquare` (there an empty reference bin gets share PSI_EPSILON, renormalized).
 * Bins empty on both sides are dropped; df = bins used − 1. p-value from the χ² tail.
 */
export function chiSquareTest(shares: ArrayLike<number>, counts: ArrayLike<number>, referenceCount = 0): TestResult & { df: number } {
  const m = total(counts);
  if (m === 0) return { statistic: Number.NaN, pValue: Number.NaN, df: 0 };
  let used = 0;
  let statistic = 0;
  if (referenceCount > 0) {
    const n = referenceCount;
    for (let i = 0; i < shares.length; i++) {
      const r = (shares[i] as number) * n;
      const l = counts[i] as number;
      if (r + l === 0) continue;
      used++;
      const er = ((r + l) * n) / (n + m);
      const el = ((r + l) * m) / (n + m);
      statistic += ((r - er) * (r - er)) / er + ((l - el) * (l - el)) / el;
    }
  } else {
    let norm = 0;
    for (let i = 0; i < shares.length; i++) {
      if ((shares[i] as number) > 0 || (counts[i] as number) > 0) norm += (shares[i] as number) || PSI_EPSILON;
    }
    for (let i = 0; i < shares.length; i++) {
      const l = counts[i] as number;
      if ((shares[i] as number) === 0 && l === 0) continue;
      used++;
      const expected = (((shares[i] as number) || PSI_EPSILON) / norm) * m;
      statistic += ((l - expected) * (l - expected)) / expected;
    }
  }
  const df = used - 1;
  return { statistic, pValue: df > 0 ? chiSquareSurvival(statistic, df) : 1, df };
}
