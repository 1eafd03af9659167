import type { FeatureKind, FeatureProfile } from './reference-profile.ts';

/**
 * Bin counts for a list of features, in flat preallocated buffers: the unit the binner
 * fills, the windows keep and the detector reads. Counts are Float64Array, exact integers up
 * to 2^53 (a Uint32 would wrap after ~4e9 rows: hours at 450k rows/s).
 */

/** Where each feature's bins sit in the flat `bins` buffer; built once per profile section. */
export interface BinLayout {
  readonly names: readonly string[];
  readonly kinds: readonly FeatureKind[];
  /** features + 1 entries: feature f owns bins [offsets[f], offsets[f + 1]). */
  readonly offsets: Uint32Array;
  readonly totalBins: number;
}

/** Bins per feature: numeric edges + 1; categorical categories + 1 (the last is "other"). */
export function binLayout(features: readonly FeatureProfile[]): BinLayout {
  const offsets = new Uint32Array(features.length + 1);
  features.forEach((f, i) => {
    const bins = f.kind === 'numeric' ? f.edges.length + 1 : f.categories.length + 1;
    offsets[i + 1] = (offsets[i] as number) + bins;
  });
  return {
    names: features.map((f) => f.name),
    kinds: features.map((f) => f.kind),
    offsets,
    totalBins: offsets[features.length] as number,
  };
}

export class BinCounts {
  /** Non-missing values per bin, all features back to back (see BinLayout.offsets). */
  readonly bins: Float64Array;
  /** Per feature: values seen, missing included (so observed − missing = sum of its bins). */
  readonly observed: Float64Array;
  /** Per feature: missing values (NaN, null). */
  readonly missing: Float64Array;
  /** Per numeric feature: values below the reference min or above its max (also in their open-ended bin). */
  readonly outOfRange: Float64Array;
  /** Per categorical feature: values not among the reference categories (also in the "other" bin). */
  readonly unseen: Float64Array;
  /** Rows these counts cover (a batch's row count; sums across batches). */
  rows = 0;

  constructor(readonly layout: BinLayout) {
    const features = layout.names.length;
    this.bins = new Float64Array(layout.totalBins);
    this.observed = new Float64Array(features);
    this.missing = new Float64Array(features);
    this.outOfRange = new Float64Array(features);
    this.unseen = new Float64Array(features);
  }

  get features(): number {
    return this.layout.names.length;
  }

  /** A view (no copy) of feature f's bin counts. */
  histogram(feature: number): Float64Array {
    const { offsets } = this.layout;
    return this.bins.subarray(offsets[feature] as number, offsets[feature + 1] as number);
  }

  /** Non-missing values of feature f: the sample size its drift scores rest on. */
  samples(feature: number): number {
    return (this.observed[feature] as number) - (this.missing[feature] as number);
  }

  /** this += other (same layout). */
  add(other: BinCounts): void {
    addInto(this.bins, other.bins);
    addInto(this.observed, other.observed);
    addInto(this.missing, other.missing);
    addInto(this.outOfRange, other.outOfRange);
    addInto(this.unseen, other.unseen);
    this.rows += other.rows;
  }

  clear(): void {
    this.bins.fill(0);
    this.observed.fill(0);
    this.missing.fill(0);
    this.outOfRange.fill(0);
    this.unseen.fill(0);
    this.rows = 0;
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + (source[i] as number);
}
