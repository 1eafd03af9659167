/**
 * Quantiles of latency for the rollout's p99 gate, from a raw sample (in-process) or from
 * Prometheus-style cumulative histogram buckets (the controller reading Prometheus, or the
 * in-process prom-client histograms). Pure functions; inputs are never modified.
 */

/**
 * One cumulative bucket, as Prometheus exposes `<name>_bucket{le="…"}`: `count` is the number
 * of observations ≤ `le`. The last bucket's `le` is +Infinity and its count is the total.
 */
export interface HistogramBucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of a sample by linear interpolation between order statistics (Hyndman–Fan
 * type 7, numpy's and R's default): position h = (n − 1)·q in the sorted sample.
 * NaN for an empty sample or q outside [0, 1].
 */
export function sampleQuantile(sample: readonly number[], q: number): number {
  if (sample.length === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const sorted = Float64Array.from(sample).sort();
  const h = (sorted.length - 1) * q;
  const lower = Math.floor(h);
  const below = sorted[lower] as number;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)] as number;
  return below + (h - lower) * (above - below);
}

/**
 * Buckets sorted by `le` with cumulative counts forced non-decreasing, as histogram_quantile
 * does: counts scraped or summed across replicas at slightly different moments can dip.
 * Throws on duplicate bounds (a query that mixed two histograms).
 */
export function normalizeBuckets(buckets: readonly HistogramBucket[]): HistogramBucket[] {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  let highest = 0;
  return sorted.map((bucket, i) => {
    if (i > 0 && bucket.le === sorted[i - 1]!.le) throw new RangeError(`duplicate histogram bucket le=${bucket.le}`);
    highest = Math.max(highest, bucket.count);
    return { le: bucket.le, count: highest };
  });
}

/**
 * The q-quantile from cumulative buckets with Prometheus's `histogram_quantile` rules, so the
 * in-process controller and the one reading Prometheus agree on the same data:
 * - rank = q·total, total being the +Inf bucket's count; the quantile lies in the first
 *   bucket whose cumulative count reaches the rank, linearly interpolated inside it;
 * - the lowest bucket starts at 0 (latencies are non-negative) unless its bound is ≤ 0,
 *   in which case that bound is the answer;
 * - a rank in the +Inf bucket answers the highest finite bound (the tail is unknown);
 * - NaN without a +Inf bucket, with fewer than two buckets, or with no observation;
 *   q < 0 gives −Infinity and q > 1 +Infinity.
 */
export function histogramQuantile(buckets: readonly HistogramBucket[], q: number): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = normalizeBuckets(buckets);
  const last = sorted[sorted.length - 1];
  if (sorted.length < 2 || last === undefined || last.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  const total = last.count;
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  let b = sorted.findIndex((bucket) => bucket.count >= rank);
  if (b === -1) b = sorted.length - 1;
  if (b === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  const bucket = sorted[b]!;
  if (b === 0 && bucket.le <= 0) return bucket.le;
  const previous = b > 0 ? sorted[b - 1]! : { le: 0, count: 0 };
  const inBucket = bucket.count - previous.count;
  // inBucket > 0 here: bucket b is the first to reach rank, so previous.count < rank ≤ bucket.count,
  // except for rank 0 (q = 0) where both may be 0 and the bucket's lower edge is the answer.
  if (!(inBucket > 0)) return previous.le;
  return previous.le + (bucket.le - previous.le) * ((rank - previous.count) / inBucket);
}

/**
 * How many observations exceed `x`, from cumulative buckets, interpolating linearly inside the
 * bucket that holds `x` (histogram_quantile's assumption, read the other way; the lowest bucket
 * starts at 0). Observations in the +Inf bucket count as above any `x` past the last finite bound.
 */
export function histogramCountAbove(buckets: readonly HistogramBucket[], x: number): number {
  const sorted = normalizeBuckets(buckets);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  let previous = { le: 0, count: 0 };
  for (const bucket of sorted) {
    if (x < bucket.le) {
      if (bucket.le === Number.POSITIVE_INFINITY || x <= previous.le) return total - previous.count;
      const within = ((x - previous.le) / (bucket.le - previous.le)) * (bucket.count - previous.count);
      return total - previous.count - within;
    }
    previous = bucket;
  }
  return 0;
}

/**
 * The histogram of X / `factor` on the same bounds: cumulative count at `le` = how many X are
 * ≤ le·factor, interpolated as in histogramCountAbove (so counts may be fractional). Used to
 * test "slower by more than a tolerance" on histograms as on samples divided by 1 + tolerance.
 */
export function scaleHistogram(buckets: readonly HistogramBucket[], factor: number): HistogramBucket[] {
  const sorted = normalizeBuckets(buckets);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  return sorted.map((b) => ({ le: b.le, count: b.le === Number.POSITIVE_INFINITY ? total : total - histogramCountAbove(sorted, b.le * factor) }));
}

/** Per-bucket (non-cumulative) counts in `le` order, for Mann–Whitney on grouped data. */
export function bucketCounts(buckets: readonly HistogramBucket[]): number[] {
  const sorted = normalizeBuckets(buckets);
  return sorted.map((bucket, i) => bucket.count - (i > 0 ? sorted[i - 1]!.count : 0));
}

/** The bucket bounds, to check that two histograms can be compared bucket by bucket. */
export function sameBounds(a: readonly HistogramBucket[], b: readonly HistogramBucket[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map((bucket) => bucket.le).sort((x, y) => x - y);
  const right = b.map((bucket) => bucket.le).sort((x, y) => x - y);
  return left.every((le, i) => le === right[i]);
}
