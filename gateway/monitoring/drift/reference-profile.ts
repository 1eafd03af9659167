import { z } from 'zod';

/**
 * The reference profile of one model version: what `<repo>/<model>/<version>/reference.json`
 * holds, and the contract every other drift file relies on. It describes the data the model
 * was trained or validated on, as per-feature histograms, so live traffic can be binned
 * against the same bins and compared (see `metrics.ts`).
 *
 * Bin contract (shared by the builder, the binner and the metrics):
 * - numeric: `edges` e1 < e2 < … < e(k-1), all finite; k = edges.length + 1 bins:
 *   bin 0 = (-inf, e1), bin i = [e_i, e_(i+1)), bin k-1 = [e(k-1), +inf). Left-closed, so a
 *   value equal to an edge falls in the bin above it (`binIndex`). Missing (null, NaN, ±Inf
 *   in the reference) is not binned: it is the data-quality `missingShare`.
 * - categorical: `categories` c0..c(k-1) (strings; numeric codes as their decimal string,
 *   "2" for class id 2) then one implicit last bin "other": values outside the list (unseen in
 *   the reference, or folded there because the reference had more than `maxCategories`).
 * - `shares` has one entry per bin, each ≥ 0, summing to 1 over the non-missing values
 *   (with no non-missing reference value, `count` = 0: a numeric feature has one bin with
 *   share 1, a categorical one puts share 1 on "other").
 */

export const PROFILE_SCHEMA_VERSION = 1;

/**
 * Where a feature's values are in a request (inputs) or response (outputs): the tensor,
 * and for a 2-D `[batch, columns]` tensor the column. Absent column: the tensor is 1-D
 * `[batch]` (or `[batch, 1]`). Absent source: the gateway maps features in order onto the
 * columns of the model's only 2-D input (see gateway/monitoring/feature-sources.ts).
 */
export interface FeatureSource {
  tensor: string;
  column?: number | undefined;
}

export interface NumericFeatureProfile {
  name: string;
  kind: 'numeric';
  source?: FeatureSource | undefined;
  /** Non-missing reference values the bins were built from. */
  count: number;
  /** Share (0..1) of reference rows where the value was missing. */
  missingShare: number;
  /** Over non-missing values; 0 when count is 0. std is the population std (ddof 0, as np.std). */
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Interior bin edges, strictly increasing and finite (see the bin contract above). */
  edges: number[];
  /** Reference share per bin, edges.length + 1 entries summing to 1. */
  shares: number[];
  /**
   * Mean of the reference values in each bin (edges.length + 1 entries): the bin's
   * representative point for the Wasserstein distance. Optional for hand-written profiles;
   * `representativePoints` falls back to bin midpoints.
   */
  centers?: number[] | undefined;
}

export interface CategoricalFeatureProfile {
  name: string;
  kind: 'categorical';
  source?: FeatureSource | undefined;
  count: number;
  missingShare: number;
  /** Known categories, most frequent first; bin i is categories[i], the last bin is "other". */
  categories: string[];
  /** categories.length + 1 entries summing to 1; the last is the "other" share (often 0). */
  shares: number[];
  /**
   * Reference categories folded into "other" by the category cap: live values among them go
   * to "other" without counting as unseen. Optional (absent: none).
   */
  folded?: string[] | undefined;
}

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;
export type FeatureKind = FeatureProfile['kind'];

export interface ReferenceProfile {
  schemaVersion: typeof PROFILE_SCHEMA_VERSION;
  /** Rows in the reference sample. */
  sampleSize: number;
  /** Model inputs, one entry per feature (a column of a 2-D input, or a whole 1-D input). */
  features: FeatureProfile[];
  /** Model outputs profiled the same way: class shares of a label, value bins of a regression. */
  outputs: FeatureProfile[];
}

/**
 * The bin of a numeric value: the number of edges ≤ value (binary search, no allocation).
 * NaN is the caller's to route to "missing" first (here it lands in bin 0).
 */
export function binIndex(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One point per bin for the Wasserstein distance: the stored centers, else bin midpoints (outer bins: [min, e1], [e_last, max]). */
export function representativePoints(feature: NumericFeatureProfile): Float64Array {
  if (feature.centers !== undefined) return Float64Array.from(feature.centers);
  const { edges, min, max } = feature;
  const bounds = [Math.min(min, edges[0] ?? min), ...edges, Math.max(max, edges[edges.length - 1] ?? max)];
  const points = new Float64Array(edges.length + 1);
  for (let i = 0; i < points.length; i++) points[i] = ((bounds[i] as number) + (bounds[i + 1] as number)) / 2;
  return points;
}

// ── validation of a loaded reference.json ──────────────────────────────────────────────

const SHARE_SUM_TOLERANCE = 1e-6;
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const share = z.number().min(0).max(1);

function checkShares(shares: number[], expected: number, ctx: z.RefinementCtx, what: string): void {
  if (shares.length !== expected) {
    ctx.addIssue({ code: 'custom', path: ['shares'], message: `expected ${expected} entries (${what}), got ${shares.length}` });
    return;
  }
  const sum = shares.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
    ctx.addIssue({ code: 'custom', path: ['shares'], message: `expected shares summing to 1, got ${sum}` });
  }
}

const sourceSchema = z.strictObject({
  tensor: z.string().min(1),
  column: z.number().int().min(0).optional(),
});

const numericSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('numeric'),
  source: sourceSchema.optional(),
  count: z.number().int().min(0),
  missingShare: share,
  min: finite,
  max: finite,
  mean: finite,
  std: finite.min(0),
  edges: z.array(finite),
  shares: z.array(share),
  centers: z.array(finite).optional(),
}).superRefine((f, ctx) => {
  for (let i = 1; i < f.edges.length; i++) {
    if (!((f.edges[i] as number) > (f.edges[i - 1] as number))) {
      ctx.addIssue({ code: 'custom', path: ['edges', i], message: 'expected edges strictly increasing' });
      break;
    }
  }
  if (f.min > f.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `expected min ≤ max (${f.max}), got ${f.min}` });
  checkShares(f.shares, f.edges.length + 1, ctx, 'edges + 1');
  if (f.centers !== undefined && f.centers.length !== f.edges.length + 1) {
    ctx.addIssue({ code: 'custom', path: ['centers'], message: `expected ${f.edges.length + 1} entries (edges + 1), got ${f.centers.length}` });
  }
});

const categoricalSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('categorical'),
  source: sourceSchema.optional(),
  count: z.number().int().min(0),
  missingShare: share,
  categories: z.array(z.string()),
  shares: z.array(share),
  folded: z.array(z.string()).optional(),
}).superRefine((f, ctx) => {
  const seen = new Set<string>();
  for (const field of ['categories', 'folded'] as const) {
    (f[field] ?? []).forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: [field, i], message: `duplicate category "${c}"` });
      seen.add(c);
    });
  }
  checkShares(f.shares, f.categories.length + 1, ctx, 'categories + 1 for "other"');
});

const featureSchema = z.discriminatedUnion('kind', [numericSchema, categoricalSchema]);

function uniqueNames(list: { name: string }[], ctx: z.RefinementCtx, section: string): void {
  const seen = new Set<string>();
  list.forEach((f, i) => {
    if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: [section, i, 'name'], message: `duplicate feature "${f.name}"` });
    seen.add(f.name);
  });
}

export const referenceProfileSchema = z.strictObject({
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  sampleSize: z.number().int().min(0),
  features: z.array(featureSchema),
  outputs: z.array(featureSchema).default([]),
}).superRefine((p, ctx) => {
  uniqueNames(p.features, ctx, 'features');
  uniqueNames(p.outputs, ctx, 'outputs');
});

/**
 * Validates a parsed reference.json once, at load. Throws an Error whose message names the
 * field (`features.2.shares: expected 11 entries (edges + 1), got 10`), prefixed by `source`.
 */
export function parseReferenceProfile(json: unknown, source = 'reference profile'): ReferenceProfile {
  const result = referenceProfileSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  throw new Error(`${source}: ${issues.join('; ')}`);
}
