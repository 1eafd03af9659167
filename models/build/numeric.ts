/**
 * The few dense-math helpers the trainers share. Training runs in float64 on plain
 * arrays (the data sets are tiny); weights are rounded to float32 only on export.
 */

/** Column-wise mean and population standard deviation, for baking standardization into a graph. */
export function columnStats(rows: readonly number[][]): { mean: number[]; std: number[] } {
  const n = rows.length;
  const k = rows[0]!.length;
  const mean = Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n));
  return { mean, std };
}

export function standardize(rows: readonly number[][], stats: { mean: number[]; std: number[] }): number[][] {
  return rows.map((r) => r.map((v, j) => (v - stats.mean[j]!) / stats.std[j]!));
}

/** A zero matrix of rows × cols. */
export function zeros(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

/** In-place numerically stable softmax of one row of logits. */
export function softmaxInPlace(z: number[]): number[] {
  const max = Math.max(...z);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i]! - max);
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
  return z;
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Row-major float32 copy of a matrix, the layout ONNX initializers use. */
export function flat32(m: readonly number[][]): Float32Array {
  return Float32Array.from(m.flat());
}
