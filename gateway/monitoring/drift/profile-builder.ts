import {
  PROFILE_SCHEMA_VERSION, binIndex,
  type CategoricalFeatureProfile, type FeatureSource, type FeatureProfile, type NumericFeatureProfile, type ReferenceProfile,
} from './reference-profile.ts';

/**
 * Builds a reference profile (see `reference-profile.ts` for the bin contract) from
 * columns of reference data: run once, offline, when a version's reference.json is made.
 */

export interface ProfileColumn {
  name: string;
  kind: 'numeric' | 'categorical';
  /** One value per reference row. Missing: null, undefined or NaN (numeric also: ±Infinity, blank strings). */
  values: readonly (number | string | null | undefined)[];
  /** Where the feature is in requests/responses; recorded in the profile as is. */
  source?: FeatureSource | undefined;
}

export interface ProfileOptions {
  /** Target numeric bins (quantile bins; fewer on discrete data after deduplication). Default 10. */
  bins?: number;
  /**
   * Most categories kept per categorical feature, most frequent first; the rest fold into
   * "other" (and are listed in `folded`, so they do not count as unseen). Bounds the bin
   * count, hence the Prometheus label values, and the null noise of PSI / JS, which grows
   * with the bins (≈ χ²(k−1)/n): with 11 bins, as numeric features have, a 1000-row window
   * crosses JS 0.1 about once in 10⁷ windows without drift; with 21 bins once in 10⁴. Default 10.
   */
  maxCategories?: number;
  /** Output columns, profiled the same way into the `outputs` section. */
  outputs?: readonly ProfileColumn[];
}

export const DEFAULT_PROFILE_BINS = 10;
export const DEFAULT_MAX_CATEGORIES = 10;

export function buildProfile(columns: readonly ProfileColumn[], options: ProfileOptions = {}): ReferenceProfile {
  const all = [...columns, ...(options.outputs ?? [])];
  const sampleSize = all[0]?.values.length ?? 0;
  for (const column of all) {
    if (column.values.length !== sampleSize) {
      throw new RangeError(`column "${column.name}": expected ${sampleSize} values (one per row), got ${column.values.length}`);
    }
  }
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    sampleSize,
    features: columns.map((c) => profileColumn(c, options)),
    outputs: (options.outputs ?? []).map((c) => profileColumn(c, options)),
  };
}

export function profileColumn(column: ProfileColumn, options: ProfileOptions = {}): FeatureProfile {
  const profile = column.kind === 'numeric'
    ? profileNumeric(column.name, column.values, options.bins ?? DEFAULT_PROFILE_BINS)
    : profileCategorical(column.name, column.values, options.maxCategories ?? DEFAULT_MAX_CATEGORIES);
  return column.source === undefined ? profile : { ...profile, source: column.source };
}

function toNumber(value: number | string | null | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/**
 * Quantile bin edges from sorted values: for p = i/bins (i = 1..bins-1), the order statistic
 * at 0-based rank floor(p·n), so about a share p of the values lies below the edge. Edges are
 * data values, which keeps discrete data exact: repeated values give equal edges, which are
 * dropped (as is an edge equal to the minimum, whose bin below would be empty), so every
 * reference bin is non-empty and a 3-valued feature gets 3 bins.
 */
export function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const n = sorted.length;
  const edges: number[] = [];
  if (n === 0) return edges;
  let last = sorted[0] as number;
  for (let i = 1; i < bins; i++) {
    const edge = sorted[Math.min(n - 1, Math.floor((i / bins) * n))] as number;
    if (edge > last) {
      edges.push(edge);
      last = edge;
    }
  }
  return edges;
}

function profileNumeric(name: string, raw: ProfileColumn['values'], bins: number): NumericFeatureProfile {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins: expected an integer ≥ 1, got ${bins}`);
  const finite: number[] = [];
  for (const v of raw) {
    const x = toNumber(v);
    if (Number.isFinite(x)) finite.push(x);
  }
  const sorted = Float64Array.from(finite).sort();
  const n = sorted.length;
  const missingShare = raw.length === 0 ? 0 : (raw.length - n) / raw.length;
  if (n === 0) {
    return { name, kind: 'numeric', count: 0, missingShare, min: 0, max: 0, mean: 0, std: 0, edges: [], shares: [1], centers: [0] };
  }
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / n;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) * (x - mean);

  const edges = quantileEdges(sorted, bins);
  const edgeArray = Float64Array.from(edges);
  const counts = new Float64Array(edges.length + 1);
  const sums = new Float64Array(edges.length + 1);
  for (const x of sorted) {
    const b = binIndex(edgeArray, x);
    counts[b] = (counts[b] as number) + 1;
    sums[b] = (sums[b] as number) + x;
  }
  return {
    name,
    kind: 'numeric',
    count: n,
    missingShare,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    mean,
    std: Math.sqrt(squares / n),
    edges,
    shares: Array.from(counts, (c) => c / n),
    centers: Array.from(counts, (c, b) => (c > 0 ? (sums[b] as number) / c : (edgeArray[Math.max(0, b - 1)] as number))),
  };
}

function profileCategorical(name: string, raw: ProfileColumn['values'], maxCategories: number): CategoricalFeatureProfile {
  const counts = new Map<string, number>();
  let n = 0;
  for (const v of raw) {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    n++;
  }
  // Most frequent first; ties by name so the profile is reproducible.
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, maxCategories);
  const folded = ranked.slice(maxCategories).map(([key]) => key);
  const keptCount = kept.reduce((s, [, c]) => s + c, 0);
  return {
    name,
    kind: 'categorical',
    count: n,
    missingShare: raw.length === 0 ? 0 : (raw.length - n) / raw.length,
    categories: kept.map(([key]) => key),
    shares: n === 0 ? [...kept.map(() => 0), 1] : [...kept.map(([, c]) => c / n), (n - keptCount) / n],
    ...(folded.length > 0 ? { folded } : {}),
  };
}
