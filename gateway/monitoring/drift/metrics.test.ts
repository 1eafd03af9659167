import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSurvival, gammaQ, kolmogorovSurvival, lnGamma } from './distributions.ts';
import { chiSquareTest, jensenShannonDistance, kolmogorovSmirnov, PSI_EPSILON, psi, wassersteinNormed } from './metrics.ts';
import { buildProfile } from './profile-builder.ts';
import { binIndex, type NumericFeatureProfile } from './reference-profile.ts';
import { Rng } from './simulated-traffic.ts';

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected} ± ${tolerance}, got ${actual}`);

test('PSI of known shares: Σ (q − p)·ln(q/p)', () => {
  // reference 50/50, live 30/70: 0.2·ln(5/3) + 0.2·ln(7/5)
  close(psi([0.5, 0.5], [30, 70]), 0.2 * Math.log(5 / 3) + 0.2 * Math.log(1.4));
  close(psi([0.1, 0.2, 0.7], [10, 20, 70]), 0);
  assert.ok(Number.isNaN(psi([0.5, 0.5], [0, 0])));
});

test('PSI replaces empty shares by epsilon on either side', () => {
  const e = PSI_EPSILON;
  close(psi([1, 0], [0, 10]), (e - 1) * Math.log(e) + (1 - e) * Math.log(1 / e)); // ≈ 18.42
  close(psi([0.5, 0.5, 0], [50, 50, 0]), 0); // empty on both sides: no contribution
});

test('Jensen–Shannon distance (base 2): 0 identical, 1 disjoint, hand-computed in between', () => {
  close(jensenShannonDistance([0.25, 0.75], [25, 75]), 0);
  close(jensenShannonDistance([1, 0], [0, 3]), 1);
  close(jensenShannonDistance([0.5, 0, 0.5], [0, 7, 0]), 1);
  // p = (½, ½), q = (1, 0), m = (¾, ¼): JSD = ½[½log2(⅔) + ½log2(2)] + ½ log2(4/3)
  const jsd = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(2)) + 0.5 * Math.log2(1 / 0.75);
  close(jensenShannonDistance([0.5, 0.5], [4, 0]), Math.sqrt(jsd));
});

test('Wasserstein normed: hand-computed on two points', () => {
  // all mass moves from point 0 to point 1 (distance 1), half of it: W1 = 0.5, std 0.5 → 1
  close(wassersteinNormed([0.5, 0.5], [0, 10], [0, 1], 0.5), 1);
  close(wassersteinNormed([0.2, 0.3, 0.5], [2, 3, 5], [0, 1, 5], 1), 0);
  // P = (0.5, 1), Q = (0, 0.5) at points 0, 2, 3: |0.5|·2 + |0.5|·1 = 1.5; constant reference divides by 1
  close(wassersteinNormed([0.5, 0.5, 0], [0, 5, 5], [0, 2, 3], 0), 1.5);
});

test('Wasserstein normed of a shifted normal ≈ shift / std (binned, 10 quantile bins)', () => {
  const rng = new Rng(7);
  const profile = buildProfile([{ name: 'x', kind: 'numeric', values: Array.from({ length: 20_000 }, () => rng.normal()) }]);
  const f = profile.features[0] as NumericFeatureProfile;
  const edges = Float64Array.from(f.edges);
  const shifted = (shift: number): number => {
    const counts = new Float64Array(edges.length + 1);
    for (let i = 0; i < 50_000; i++) {
      const bin = binIndex(edges, rng.normal() + shift);
      counts[bin] = (counts[bin] as number) + 1;
    }
    return wassersteinNormed(f.shares, counts, f.centers ?? [], f.std);
  };
  close(shifted(0.25), 0.25, 0.03);
  close(shifted(0.5), 0.5, 0.04);
  assert.ok(shifted(0) < 0.03);
});

test('KS on binned CDFs: max CDF gap at the edges, Kolmogorov p-value', () => {
  const identical = kolmogorovSmirnov([0.2, 0.3, 0.5], [20, 30, 50]);
  assert.deepEqual(identical, { statistic: 0, pValue: 1 });
  const r = kolmogorovSmirnov([0.5, 0.5], [30, 70]);
  close(r.statistic, 0.2);
  // one-sample, ne = 100: λ = (10 + 0.12 + 0.011)·0.2, Q(λ) ≈ 2·e^(−2λ²)
  close(r.pValue, 2 * Math.exp(-2 * (10.131 * 0.2) ** 2), 1e-6);
  // a large reference: two-sample ne = N·M/(N+M) < M, so a larger p-value
  assert.ok(kolmogorovSmirnov([0.5, 0.5], [30, 70], 100).pValue > r.pValue);
});

test('chi-square goodness of fit (reference size unknown): Σ (O − E)²/E, df = bins − 1', () => {
  const r = chiSquareTest([0.5, 0.5], [30, 70]);
  assert.deepEqual([r.statistic, r.df], [16, 1]);
  close(r.pValue, 6.334248366623996e-5, 1e-12); // erfc(√8)
  assert.equal(chiSquareTest([0.25, 0.25, 0.5, 0], [25, 25, 50, 0]).df, 2); // empty both sides: dropped
  assert.equal(chiSquareTest([0.25, 0.75], [25, 75]).pValue, 1);
});

test('chi-square two-sample homogeneity when the reference size is known', () => {
  // 2×2 table: reference (50, 50), live (30, 70); expected 40 / 60 in both rows
  const r = chiSquareTest([0.5, 0.5], [30, 70], 100);
  close(r.statistic, 2 * (100 / 40 + 100 / 60));
  assert.equal(r.df, 1);
  close(r.pValue, 0.00389241712277862, 1e-9);
  // an unseen category (reference share 0) with live counts contributes, df counts it
  assert.equal(chiSquareTest([0.5, 0.5, 0], [50, 45, 5], 1000).df, 2);
});

// ── the p-value distributions (distributions.ts) ─────────────────────────────────

test('lnGamma matches factorials and Γ(½) = √π', () => {
  close(lnGamma(5), Math.log(24), 1e-12);
  close(lnGamma(11), Math.log(3628800), 1e-11);
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  close(lnGamma(0.1), Math.log(9.513507698668732), 1e-12);
});

test('chi-square tail at tabulated 95 % critical values', () => {
  close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-12);
  close(chiSquareSurvival(18.307038053275146, 10), 0.05, 1e-12);
  close(chiSquareSurvival(124.34211340400407, 100), 0.05, 1e-10);
  close(chiSquareSurvival(0.10258658877510106, 2), 0.95, 1e-12);
});

test('chi-square tail: closed forms and edges', () => {
  for (const x of [0.5, 2, 7, 40]) close(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-13); // df 2: e^(−x/2)
  assert.equal(chiSquareSurvival(0, 3), 1);
  assert.ok(Number.isNaN(chiSquareSurvival(1, 0)));
  assert.ok(chiSquareSurvival(1e4, 3) === 0 || chiSquareSurvival(1e4, 3) < 1e-300);
  close(gammaQ(1, 3), Math.exp(-3), 1e-14); // Q(1, x) = e^(−x)
});

test('Kolmogorov tail at its tabulated critical values', () => {
  close(kolmogorovSurvival(1.3581), 0.05, 1e-4);
  close(kolmogorovSurvival(1.2239), 0.1, 1e-4);
  close(kolmogorovSurvival(1.6276), 0.01, 1e-4);
  assert.equal(kolmogorovSurvival(0), 1);
  assert.ok(kolmogorovSurvival(5) < 1e-20);
});
