import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../monitoring/drift/simulated-traffic.ts';
import { mannWhitneyGrouped, mannWhitneyU, normalSurvival, proportionAboveTest, twoProportionTest } from './statistics.ts';

/** |actual − expected| ≤ tolerance, relative for small expected values. */
const close = (actual: number, expected: number, relative = 1e-8): void =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1e-300, Math.abs(expected)), `expected ${expected}, got ${actual}`);

// Expected values below are scipy 1.17's: stats.norm.sf, and
// stats.mannwhitneyu(candidate, baseline, alternative=…, method='asymptotic').

test('normal tail matches tabulated values, deep tail included', () => {
  close(normalSurvival(0), 0.5);
  close(normalSurvival(1.959963984540054), 0.025);
  close(normalSurvival(3), 0.0013498980316300933);
  close(normalSurvival(-1), 0.8413447460685429);
  close(normalSurvival(8), 6.22096057427174e-16, 1e-6);
  assert.ok(Number.isNaN(normalSurvival(Number.NaN)));
});

test('Mann–Whitney with ties: U counted by hand, p from the tie-corrected variance', () => {
  // baseline 1 2 2 3, candidate 2 3 3 4. Candidate wins: 2 → 1 + ½·2, 3 → 3 + ½ (twice), 4 → 4: U = 13.
  // Ties: two groups of 3 → Σ(t³ − t) = 48; σ² = 16/12·(9 − 48/56) = 10.857; z = (13 − 8 − ½)/σ = 1.3657.
  const greater = mannWhitneyU([1, 2, 2, 3], [2, 3, 3, 4], 'greater');
  assert.equal(greater.statistic, 13);
  close(greater.z, 4.5 / Math.sqrt((16 / 12) * (9 - 48 / 56)));
  close(greater.pValue, 0.08601685446091145);
  close(greater.effect, 13 / 16);
  close(mannWhitneyU([1, 2, 2, 3], [2, 3, 3, 4]).pValue, 0.1720337089218229);
});

test('Mann–Whitney without ties: a small textbook sample and a latency-like one', () => {
  // baseline 19 22 16 29 24, candidate 20 11 17 12: 20 beats 19 and 16, 17 beats 16 → U = 3.
  const two = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  assert.equal(two.statistic, 3);
  close(two.pValue, 0.11134688653314041);
  close(mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12], 'greater').pValue, 0.9669037101389033);

  const base = [0.12, 0.15, 0.11, 0.19, 0.14, 0.13, 0.16, 0.18, 0.12, 0.17];
  const cand = [0.16, 0.19, 0.14, 0.22, 0.18, 0.21, 0.17, 0.2, 0.15, 0.23];
  const slower = mannWhitneyU(base, cand, 'greater');
  assert.equal(slower.statistic, 82);
  close(slower.pValue, 0.008482456476793564);
  close(mannWhitneyU(base, cand).pValue, 0.016964912953587128);
});

test('Mann–Whitney: identical samples give p = 1, a clear shift a tiny p, the other direction p ≈ 1', () => {
  const same = mannWhitneyU([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  assert.equal(same.statistic, 12.5);
  assert.equal(same.pValue, 1);

  const rng = new Rng(3);
  const base = Array.from({ length: 500 }, () => 0.05 * Math.exp(0.3 * rng.normal()));
  const slow = Array.from({ length: 500 }, () => 0.065 * Math.exp(0.3 * rng.normal()));
  assert.ok(mannWhitneyU(base, slow, 'greater').pValue < 1e-20);
  assert.ok(mannWhitneyU(slow, base, 'greater').pValue > 0.999999);
  const again = Array.from({ length: 500 }, () => 0.05 * Math.exp(0.3 * rng.normal()));
  assert.ok(mannWhitneyU(base, again).pValue > 0.05, 'two draws of one distribution are not different');
});

test('Mann–Whitney grouped: equals the raw-sample test on the same tied data; edge cases', () => {
  // groups 1, 2, 3, 4 of the tied example: baseline counts (1, 2, 1, 0), candidate (0, 1, 2, 1)
  const grouped = mannWhitneyGrouped([1, 2, 1, 0], [0, 1, 2, 1], 'greater');
  const raw = mannWhitneyU([1, 2, 2, 3], [2, 3, 3, 4], 'greater');
  assert.equal(grouped.statistic, raw.statistic);
  close(grouped.pValue, raw.pValue, 1e-12);

  const allTied = mannWhitneyGrouped([0, 7, 0], [0, 9, 0], 'greater');
  assert.equal(allTied.pValue, 1);
  close(allTied.effect, 0.5);
  assert.ok(Number.isNaN(mannWhitneyGrouped([0, 0], [3, 4]).pValue));
  assert.throws(() => mannWhitneyGrouped([1, 2], [1, 2, 3]), /group counts differ/);
});

test('two-proportion test with a margin: known values, zero-variance cases', () => {
  // 1.0 % vs 2.5 % errors on 1000 each: z = 0.015 / √(0.025·0.975/1000 + 0.01·0.99/1000)
  const plain = twoProportionTest(10, 1000, 25, 1000);
  close(plain.statistic, 2.5621380568422687);
  close(plain.pValue, 0.005201497829248816, 1e-7);
  const margin = twoProportionTest(10, 1000, 25, 1000, 0.01);
  close(margin.statistic, 0.8540460189474229);
  close(margin.pValue, 0.19653974589403284, 1e-7);
  // the candidate better than the baseline: no evidence of harm
  assert.ok(twoProportionTest(25, 1000, 10, 1000, 0.01).pValue > 0.99);
  // no errors anywhere: nothing to test, p = 1; all errors on the candidate: p = 0
  assert.deepEqual(twoProportionTest(0, 500, 0, 500, 0.01), { statistic: 0, pValue: 1 });
  assert.equal(twoProportionTest(0, 500, 500, 500, 0.01).pValue, 0);
  assert.ok(Number.isNaN(twoProportionTest(0, 0, 1, 10).pValue));
});

test('one-proportion test above a limit (shadow disagreement)', () => {
  // 30 of 300 = 10 % against a 5 % limit: z = 0.05 / √(0.05·0.95/300)
  const r = proportionAboveTest(30, 300, 0.05);
  close(r.statistic, 3.973597071195132);
  close(r.pValue, 3.5397643206479886e-5, 1e-6);
  assert.ok(proportionAboveTest(10, 300, 0.05).pValue > 0.9);
  assert.equal(proportionAboveTest(1, 10, 0).pValue, 0);
});
