import type { BinCounts } from './bin-counts.ts';
import { chiSquareTest, jensenShannonDistance, kolmogorovSmirnov, psi, wassersteinNormed } from './metrics.ts';
import { representativePoints, type FeatureKind, type FeatureProfile } from './reference-profile.ts';
import type { WindowConfig } from './windows.ts';

/**
 * Turns a window's live counts into a drift verdict per feature and per model: every method's
 * score is computed, one configured method per feature decides its status. Pure: the caller
 * reads a window (`windows.ts`) and calls `evaluate` (at scrape time, or on a timer).
 */

export type NumericMethod = 'psi' | 'js' | 'wasserstein' | 'ks' | 'chisquare';
export type CategoricalMethod = 'psi' | 'js' | 'chisquare';
export type DriftMethod = NumericMethod;
export type FeatureStatus = 'ok' | 'warn' | 'alert' | 'insufficient_data';

export const DRIFT_METHODS: readonly DriftMethod[] = ['psi', 'js', 'wasserstein', 'ks', 'chisquare'];
const CATEGORICAL_METHODS: readonly DriftMethod[] = ['psi', 'js', 'chisquare'];
/** Methods whose score is a p-value: the status applies when p < threshold (else when score ≥ threshold). */
const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chisquare']);

export interface Threshold {
  /** Optional softer level: score ≥ warn (p-value methods: p < warn) → 'warn'. */
  warn?: number | undefined;
  /** score ≥ alert (p-value methods: p < alert) → 'alert', the feature counts as drifted. */
  alert: number;
}

export interface DriftConfig {
  /** Live window the verdicts are computed over. */
  window: WindowConfig;
  /** Non-missing live values a feature needs in the window before any verdict ('insufficient_data' below). */
  minSamples: number;
  /** Deciding method for numeric features, and for categorical ones. */
  numericMethod: NumericMethod;
  categoricalMethod: CategoricalMethod;
  thresholds: Record<DriftMethod, Threshold>;
  /** The model is 'alert' when at least this share of its evaluated features is (Evidently's drift_share). */
  modelDriftShare: number;
  /** Per-feature overrides, by feature name. */
  features: Record<string, { method?: DriftMethod | undefined; threshold?: Threshold | undefined }>;
}

/**
 * Defaults. Thresholds are Evidently's (PSI 0.1 warn / 0.2, JS distance 0.1, Wasserstein/std
 * 0.1, p < 0.05). Method, window and minSamples come from `quality.ts` (10 seeds × 20 windows,
 * evaluated after every 16-row batch): JS distance on a 1000-row count window, verdicts only on
 * a full window, had no false alarm (peak null score 0.072) and flags a 0.5 sd mean shift after
 * ~560 requests (0.56 windows), 0.25 sd after ~1100. The alternatives measured worse:
 * - PSI ≥ 0.2 never flags a 0.25 sd shift (its full-shift PSI is ~0.07) and needs a full window for 0.5 sd;
 * - Wasserstein/std 0.1 has null peaks of 0.12 at 1000 rows (raw-data W1 has the same noise,
 *   not a binning effect) and needs 2000 rows, where its margin is thin (peak 0.088);
 * - KS and chi-square at p < 0.05 alarm in ~30–60 % of null windows when evaluated continuously
 *   (a 5 % test repeated); keep them for one-off checks or lower their threshold.
 * JS and PSI noise under no drift depends only on the bin count k and the sample n (≈ χ²(k−1)/n),
 * not on the feature's shape: with 10 bins and 1000 rows, JS crosses 0.1 about once in 10⁷
 * independent windows; more bins are noisier (hence the builder's 10-category cap).
 */
export const DEFAULT_DRIFT_CONFIG: Readonly<DriftConfig> = Object.freeze({
  window: Object.freeze({ kind: 'count', size: 1000 }),
  minSamples: 1000,
  numericMethod: 'js',
  categoricalMethod: 'js',
  thresholds: Object.freeze({
    psi: Object.freeze({ warn: 0.1, alert: 0.2 }),
    js: Object.freeze({ alert: 0.1 }),
    wasserstein: Object.freeze({ alert: 0.1 }),
    ks: Object.freeze({ alert: 0.05 }),
    chisquare: Object.freeze({ alert: 0.05 }),
  }),
  modelDriftShare: 0.5,
  features: Object.freeze({}),
}) as Readonly<DriftConfig>;

export type DriftConfigInput = Partial<Omit<DriftConfig, 'thresholds'>> & { thresholds?: Partial<Record<DriftMethod, Threshold>> };

/**
 * Merges a partial config (e.g. from config.yaml) over the defaults and checks it; throws a
 * RangeError naming the field. Unset minSamples with a count window smaller than the default
 * minSamples becomes the window size (else no verdict could ever be reached).
 */
export function resolveDriftConfig(input: DriftConfigInput = {}): DriftConfig {
  const window = input.window ?? DEFAULT_DRIFT_CONFIG.window;
  const config: DriftConfig = {
    ...DEFAULT_DRIFT_CONFIG,
    ...input,
    minSamples: input.minSamples ?? (window.kind === 'count' ? Math.min(window.size, DEFAULT_DRIFT_CONFIG.minSamples) : DEFAULT_DRIFT_CONFIG.minSamples),
    thresholds: { ...DEFAULT_DRIFT_CONFIG.thresholds, ...input.thresholds },
    features: { ...input.features },
  };
  if (!Number.isInteger(config.minSamples) || config.minSamples < 1) throw new RangeError(`minSamples: expected an integer ≥ 1, got ${config.minSamples}`);
  if (window.kind === 'count' && config.minSamples > window.size) throw new RangeError(`minSamples: expected ≤ window.size (${window.size}) for a count window, got ${config.minSamples}`);
  if (!(config.modelDriftShare > 0 && config.modelDriftShare <= 1)) throw new RangeError(`modelDriftShare: expected a share in (0, 1], got ${config.modelDriftShare}`);
  if (!CATEGORICAL_METHODS.includes(config.categoricalMethod)) throw new RangeError(`categoricalMethod: expected one of ${CATEGORICAL_METHODS.join(', ')}, got "${config.categoricalMethod}"`);
  if (!DRIFT_METHODS.includes(config.numericMethod)) throw new RangeError(`numericMethod: expected one of ${DRIFT_METHODS.join(', ')}, got "${config.numericMethod}"`);
  for (const method of DRIFT_METHODS) {
    const { warn, alert } = config.thresholds[method];
    const ordered = warn === undefined || (P_VALUE_METHODS.has(method) ? warn >= alert : warn <= alert);
    if (!(alert >= 0) || !ordered) throw new RangeError(`thresholds.${method}: expected alert ≥ 0 and warn ${P_VALUE_METHODS.has(method) ? '≥' : '≤'} alert`);
  }
  return config;
}

/** Status of one score under one method's threshold (NaN → 'ok': nothing to judge). */
export function statusOf(method: DriftMethod, score: number, threshold: Threshold): 'ok' | 'warn' | 'alert' {
  const beyond = P_VALUE_METHODS.has(method) ? (t: number) => score < t : (t: number) => score >= t;
  if (beyond(threshold.alert)) return 'alert';
  if (threshold.warn !== undefined && beyond(threshold.warn)) return 'warn';
  return 'ok';
}

/** Every method's score for one feature; p-values for ks and chisquare. Absent: not applicable to the kind. */
export interface FeatureScores {
  psi: number;
  js: number;
  wasserstein?: number;
  ks?: number;
  ksPValue?: number;
  chiSquare: number;
  chiSquarePValue: number;
}

export interface FeatureVerdict {
  name: string;
  kind: FeatureKind;
  status: FeatureStatus;
  /** The deciding method and its value (a p-value for ks / chisquare); NaN with no live value. */
  method: DriftMethod;
  score: number;
  scores: FeatureScores;
  /** Non-missing live values the scores rest on. */
  samples: number;
  /** Data quality over the window: shares of the values seen (0 with none). */
  missingShare: number;
  outOfRangeShare: number;
  unseenShare: number;
}

export interface ModelVerdict {
  /** 'alert': driftedShare ≥ modelDriftShare; 'warn': some feature is warn/alert; 'insufficient_data': no feature evaluated. */
  status: FeatureStatus;
  features: FeatureVerdict[];
  /** Features with enough samples for a verdict, and those in 'alert'. */
  evaluated: number;
  drifted: number;
  /** drifted / evaluated (0 when none evaluated). */
  driftedShare: number;
  rows: number;
}

interface PreparedFeature {
  profile: FeatureProfile;
  shares: Float64Array;
  points: Float64Array | null;
  method: DriftMethod;
  threshold: Threshold;
}

export class DriftDetector {
  private readonly prepared: PreparedFeature[];

  /** `features`: the profile section the window's counts were binned against (same order). */
  constructor(features: readonly FeatureProfile[], readonly config: DriftConfig = DEFAULT_DRIFT_CONFIG) {
    this.prepared = features.map((profile) => {
      const override = config.features[profile.name];
      const method = override?.method ?? (profile.kind === 'numeric' ? config.numericMethod : config.categoricalMethod);
      if (profile.kind === 'categorical' && !CATEGORICAL_METHODS.includes(method)) {
        throw new RangeError(`features.${profile.name}.method: expected one of ${CATEGORICAL_METHODS.join(', ')} for a categorical feature, got "${method}"`);
      }
      return {
        profile,
        shares: Float64Array.from(profile.shares),
        points: profile.kind === 'numeric' ? representativePoints(profile) : null,
        method,
        threshold: override?.threshold ?? config.thresholds[method],
      };
    });
  }

  evaluate(counts: BinCounts): ModelVerdict {
    const features = this.prepared.map((p, f) => this.evaluateFeature(p, counts, f));
    const evaluated = features.filter((v) => v.status !== 'insufficient_data').length;
    const drifted = features.filter((v) => v.status === 'alert').length;
    const driftedShare = evaluated === 0 ? 0 : drifted / evaluated;
    const status: FeatureStatus = evaluated === 0 ? 'insufficient_data'
      : drifted > 0 && driftedShare >= this.config.modelDriftShare ? 'alert'
      : features.some((v) => v.status === 'warn' || v.status === 'alert') ? 'warn' : 'ok';
    return { status, features, evaluated, drifted, driftedShare, rows: counts.rows };
  }

  private evaluateFeature(p: PreparedFeature, counts: BinCounts, f: number): FeatureVerdict {
    const live = counts.histogram(f);
    const { profile, shares } = p;
    const chi = chiSquareTest(shares, live, profile.count);
    const scores: FeatureScores = {
      psi: psi(shares, live),
      js: jensenShannonDistance(shares, live),
      chiSquare: chi.statistic,
      chiSquarePValue: chi.pValue,
    };
    if (profile.kind === 'numeric') {
      const ks = kolmogorovSmirnov(shares, live, profile.count);
      scores.wasserstein = wassersteinNormed(shares, live, p.points as Float64Array, profile.std);
      scores.ks = ks.statistic;
      scores.ksPValue = ks.pValue;
    }
    const score = p.method === 'ks' ? (scores.ksPValue ?? Number.NaN)
      : p.method === 'chisquare' ? scores.chiSquarePValue
      : (scores[p.method] ?? Number.NaN);
    const samples = counts.samples(f);
    const observed = counts.observed[f] as number;
    const enough = samples >= this.config.minSamples && profile.count > 0;
    return {
      name: profile.name,
      kind: profile.kind,
      status: enough ? statusOf(p.method, score, p.threshold) : 'insufficient_data',
      method: p.method,
      score,
      scores,
      samples,
      missingShare: observed > 0 ? (counts.missing[f] as number) / observed : 0,
      outOfRangeShare: samples > 0 ? (counts.outOfRange[f] as number) / samples : 0,
      unseenShare: samples > 0 ? (counts.unseen[f] as number) / samples : 0,
    };
  }
}
