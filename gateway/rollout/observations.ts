import { chiSquareTest, jensenShannonDistance } from '../monitoring/drift/metrics.ts';
import { bucketCounts, histogramCountAbove, histogramQuantile, sameBounds, sampleQuantile, scaleHistogram, type HistogramBucket } from './quantiles.ts';
import { mannWhitneyGrouped, mannWhitneyU, type MannWhitneyResult } from './statistics.ts';

/**
 * What the rollout controller observed of both versions: the input of `decide()`, the same
 * whether it was read from in-process metrics or from Prometheus.
 *
 * Contract for the producer: both versions are measured over the same window, the current
 * step's, from `state.stepStartedAt` to now, so that earlier steps (other weights) do not
 * dilute what this step shows. The candidate's numbers include the shadow requests it
 * served: their errors and latency are the candidate's, though their answers were dropped.
 */

export interface LatencyObservation {
  /** Latencies in seconds: all of the window's, or a uniform sample of them. */
  samples?: readonly number[];
  /** Cumulative buckets of the window (Prometheus: `increase(…_bucket[w])` summed over replicas). */
  buckets?: readonly HistogramBucket[];
  /** p99 in seconds when the source computed it (e.g. `histogram_quantile`); used as given. */
  p99?: number;
}

export interface VersionObservations {
  /** Requests answered in the window, successful or not. */
  requests: number;
  /** Of those, failures the version is to blame for (5xx, runtime errors; not 4xx). */
  errors: number;
  latency: LatencyObservation;
  /**
   * Output distributions by output name: counts per class or per bin, binned the same way
   * for both versions (the baseline's reference bins). Missing: no output gate possible.
   */
  outputs?: Readonly<Record<string, readonly number[]>>;
}

export interface ShadowObservation {
  /** Mirrored requests whose two answers were compared. */
  comparisons: number;
  /** Of those, answers that differ (a different label, or beyond the comparison's tolerance). */
  disagreements: number;
}

export interface Observations {
  baseline: VersionObservations;
  candidate: VersionObservations;
  /**
   * Drift of the candidate's inputs against its reference profile: the largest
   * Jensen–Shannon distance (base 2) over the monitored features; null when not measured.
   */
  candidateInputDrift: number | null;
  /** null when no shadow traffic is configured or none was compared. */
  shadow: ShadowObservation | null;
}

/** Errors / requests; NaN without requests. */
export function errorRate(version: VersionObservations): number {
  return version.requests > 0 ? version.errors / version.requests : Number.NaN;
}

/** The q-quantile of latency in seconds, from the sample if there is one, else the buckets; NaN if neither. */
export function latencyQuantile(latency: LatencyObservation, q: number): number {
  if (latency.samples !== undefined && latency.samples.length > 0) return sampleQuantile(latency.samples, q);
  if (latency.buckets !== undefined) return histogramQuantile(latency.buckets, q);
  return Number.NaN;
}

/** p99 latency in seconds: as given, else computed; NaN when nothing was observed. */
export function latencyP99(latency: LatencyObservation): number {
  return latency.p99 ?? latencyQuantile(latency, 0.99);
}

/**
 * How many observed latencies exceed `seconds`, out of how many: from the sample, else from the
 * buckets (interpolated); null when only a p99 was given. For the p99 gate's significance test.
 */
export function latencyCountAbove(latency: LatencyObservation, seconds: number): { above: number; total: number } | null {
  if (latency.samples !== undefined && latency.samples.length > 0) {
    return { above: latency.samples.filter((x) => x > seconds).length, total: latency.samples.length };
  }
  if (latency.buckets !== undefined && latency.buckets.length > 0) {
    const total = Math.max(...latency.buckets.map((b) => b.count));
    return total > 0 ? { above: histogramCountAbove(latency.buckets, seconds), total } : null;
  }
  return null;
}

export interface LatencyComparison {
  /** One-sided Mann–Whitney: is the candidate slower than the baseline × (1 + tolerance)? */
  test: MannWhitneyResult;
  baselineMedian: number;
  candidateMedian: number;
  /** Raw samples when both versions have them (finer), else histogram buckets. */
  source: 'samples' | 'buckets';
}

/**
 * Tests whether the candidate's latencies, divided by 1 + `tolerance`, are still
 * stochastically greater than the baseline's: H₀ "at most `tolerance` slower". Testing plain
 * equality instead would, with thousands of requests, reject a negligible slowdown, and with
 * a few hundred, reject identical versions at rate alpha on every look of the controller.
 * Histograms are rescaled by interpolation (scaleHistogram). Null when the versions cannot be
 * compared: no samples on one side and no buckets with identical bounds on both.
 */
export function compareLatency(baseline: LatencyObservation, candidate: LatencyObservation, tolerance = 0): LatencyComparison | null {
  const factor = 1 + tolerance;
  if (baseline.samples?.length && candidate.samples?.length) {
    return {
      test: mannWhitneyU(baseline.samples, candidate.samples.map((x) => x / factor), 'greater'),
      baselineMedian: sampleQuantile(baseline.samples, 0.5),
      candidateMedian: sampleQuantile(candidate.samples, 0.5),
      source: 'samples',
    };
  }
  if (baseline.buckets && candidate.buckets && sameBounds(baseline.buckets, candidate.buckets)) {
    const scaled = factor === 1 ? candidate.buckets : scaleHistogram(candidate.buckets, factor);
    return {
      test: mannWhitneyGrouped(bucketCounts(baseline.buckets), bucketCounts(scaled), 'greater'),
      baselineMedian: histogramQuantile(baseline.buckets, 0.5),
      candidateMedian: histogramQuantile(candidate.buckets, 0.5),
      source: 'buckets',
    };
  }
  return null;
}

export interface OutputDivergence {
  /** The output with the largest divergence. */
  output: string;
  /** Jensen–Shannon distance (base 2) between the two versions' distributions, in [0, 1]. */
  distance: number;
  /** χ² test of homogeneity on the 2 × k table: could one distribution have produced both? */
  pValue: number;
}

/**
 * The most divergent output between baseline and candidate, over the outputs both report
 * with the same number of bins and at least one count each; null when there is none.
 */
export function outputDivergence(baseline: VersionObservations, candidate: VersionObservations): OutputDivergence | null {
  let worst: OutputDivergence | null = null;
  for (const [output, baseCounts] of Object.entries(baseline.outputs ?? {})) {
    const candCounts = candidate.outputs?.[output];
    if (candCounts === undefined || candCounts.length !== baseCounts.length) continue;
    const baseTotal = baseCounts.reduce((sum, n) => sum + n, 0);
    if (!(baseTotal > 0) || !(candCounts.reduce((sum, n) => sum + n, 0) > 0)) continue;
    const shares = baseCounts.map((n) => n / baseTotal);
    const distance = jensenShannonDistance(shares, candCounts);
    if (worst === null || distance > worst.distance) {
      worst = { output, distance, pValue: chiSquareTest(shares, candCounts, baseTotal).pValue };
    }
  }
  return worst;
}
