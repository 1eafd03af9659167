import type { NamedTensors, Tensor } from '../../runtimes/tensor.ts';

/**
 * Whether a shadow version's answer disagrees with the primary's, per output:
 * - integer and string outputs (labels, ids): any element differs;
 * - float outputs with several columns ([batch, k], e.g. probabilities): the
 *   arg-max of any row differs (the predicted class changed);
 * - other float outputs (regression): any element's relative error exceeds
 *   `relativeTolerance` (against max(|primary|, 1e-6)).
 * Outputs the shadow lacks, or with another shape, count as disagreement.
 */
export function disagrees(primary: NamedTensors, shadow: NamedTensors, relativeTolerance: number): boolean {
  for (const [name, a] of Object.entries(primary)) {
    const b = shadow[name];
    if (b === undefined || b.datatype !== a.datatype || b.shape.join() !== a.shape.join()) return true;
    if (differ(a, b, relativeTolerance)) return true;
  }
  return false;
}

function differ(a: Tensor, b: Tensor, tolerance: number): boolean {
  const float = a.datatype === 'FP32' || a.datatype === 'FP64';
  if (!float) {
    for (let i = 0; i < a.data.length; i += 1) if (a.data[i] !== b.data[i]) return true;
    return false;
  }
  const x = a.data as Float32Array | Float64Array;
  const y = b.data as Float32Array | Float64Array;
  const columns = a.shape.length === 2 ? a.shape[1]! : 1;
  if (columns > 1) {
    for (let row = 0; row < x.length; row += columns) if (argmax(x, row, columns) !== argmax(y, row, columns)) return true;
    return false;
  }
  for (let i = 0; i < x.length; i += 1) {
    if (Math.abs(x[i]! - y[i]!) / Math.max(Math.abs(x[i]!), 1e-6) > tolerance) return true;
  }
  return false;
}

function argmax(values: Float32Array | Float64Array, start: number, length: number): number {
  let best = 0;
  for (let j = 1; j < length; j += 1) if (values[start + j]! > values[start + best]!) best = j;
  return best;
}
