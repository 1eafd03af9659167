import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketCounts, histogramCountAbove, histogramQuantile, normalizeBuckets, sameBounds, sampleQuantile, scaleHistogram } from './quantiles.ts';

const close = (actual: number, expected: number, tolerance = 1e-12): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

const INF = Number.POSITIVE_INFINITY;
/** 100 observations: 10 ≤ 0.1 s, 40 in (0.1, 0.2], 40 in (0.2, 0.5], 9 in (0.5, 1], 1 above 1 s. */
const BUCKETS = [
  { le: 0.1, count: 10 },
  { le: 0.2, count: 50 },
  { le: 0.5, count: 90 },
  { le: 1, count: 99 },
  { le: INF, count: 100 },
];

test('sample quantile: linear between order statistics (numpy default)', () => {
  const sample = [3, 1, 4, 1, 5, 9, 2, 6];
  close(sampleQuantile(sample, 0.5), 3.5);
  close(sampleQuantile(sample, 0.9), 6.9);
  close(sampleQuantile(sample, 0.99), 8.79);
  close(sampleQuantile(sample, 0), 1);
  close(sampleQuantile(sample, 1), 9);
  close(sampleQuantile([7], 0.99), 7);
  assert.deepEqual(sample, [3, 1, 4, 1, 5, 9, 2, 6], 'input untouched');
  assert.ok(Number.isNaN(sampleQuantile([], 0.5)));
  assert.ok(Number.isNaN(sampleQuantile(sample, 1.5)));
});

test('histogram quantile interpolates inside the bucket that reaches the rank', () => {
  close(histogramQuantile(BUCKETS, 0.99), 1); // rank 99: top of (0.5, 1]
  close(histogramQuantile(BUCKETS, 0.95), 0.5 + 0.5 * (5 / 9)); // rank 95: 5 of that bucket's 9
  close(histogramQuantile(BUCKETS, 0.5), 0.2);
  close(histogramQuantile(BUCKETS, 0.3), 0.1 + 0.1 * (20 / 40));
  close(histogramQuantile(BUCKETS, 0.05), 0.05); // the lowest bucket starts at 0
  close(histogramQuantile([...BUCKETS].reverse(), 0.95), 0.5 + 0.5 * (5 / 9), 1e-12); // order does not matter
});

test('histogram quantile follows histogram_quantile at the edges', () => {
  close(histogramQuantile(BUCKETS, 0.995), 1); // rank in +Inf: the highest finite bound
  close(histogramQuantile(BUCKETS, 1), 1);
  assert.equal(histogramQuantile(BUCKETS, -0.1), -INF);
  assert.equal(histogramQuantile(BUCKETS, 1.1), INF);
  assert.ok(Number.isNaN(histogramQuantile(BUCKETS.slice(0, 4), 0.5)), 'no +Inf bucket');
  assert.ok(Number.isNaN(histogramQuantile([{ le: INF, count: 5 }], 0.5)), 'one bucket');
  assert.ok(Number.isNaN(histogramQuantile(BUCKETS.map((b) => ({ ...b, count: 0 })), 0.5)), 'no observation');
  close(histogramQuantile([{ le: -1, count: 5 }, { le: 1, count: 10 }, { le: INF, count: 10 }], 0.2), -1);
  // a cumulative count that dips (replicas scraped apart) is raised to the running maximum
  const dipping = [{ le: 0.1, count: 10 }, { le: 0.2, count: 8 }, { le: 0.5, count: 20 }, { le: INF, count: 20 }];
  assert.deepEqual(normalizeBuckets(dipping).map((b) => b.count), [10, 10, 20, 20]);
  close(histogramQuantile(dipping, 0.5), 0.1);
  assert.throws(() => normalizeBuckets([{ le: 1, count: 1 }, { le: 1, count: 2 }]), /duplicate/);
});

test('count above a latency, by interpolation; rescaled histogram; per-bucket counts', () => {
  close(histogramCountAbove(BUCKETS, 0.15), 100 - 10 - 20);
  close(histogramCountAbove(BUCKETS, 0.2), 50);
  close(histogramCountAbove(BUCKETS, 2), 1); // only the +Inf bucket's observation
  close(histogramCountAbove(BUCKETS, -1), 100);

  // X / 2 on the same bounds: ≤ 0.1 ⇔ X ≤ 0.2 (50), ≤ 0.2 ⇔ X ≤ 0.4 (50 + 40·0.2/0.3), …
  assert.deepEqual(scaleHistogram(BUCKETS, 2).map((b) => Number(b.count.toFixed(9))), [50, Number((50 + 40 * (0.2 / 0.3)).toFixed(9)), 99, 99, 100]);
  assert.deepEqual(scaleHistogram(BUCKETS, 1), BUCKETS);

  assert.deepEqual(bucketCounts(BUCKETS), [10, 40, 40, 9, 1]);
  assert.ok(sameBounds(BUCKETS, [...BUCKETS].reverse()));
  assert.ok(!sameBounds(BUCKETS, BUCKETS.slice(1)));
});
