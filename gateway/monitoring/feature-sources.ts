import type { TensorSpec } from '../../runtimes/tensor.ts';
import type { FeatureProfile } from './drift/reference-profile.ts';

/** Where one monitored feature is read from: `tensor.data[offset + row * stride]`. */
export interface FeaturePlan {
  /** Index of the feature in the binner's profile section. */
  feature: number;
  tensor: string;
  /** Columns of the tensor (1 for a 1-D [batch] tensor). */
  stride: number;
  /** Column read. */
  offset: number;
}

/**
 * Maps profile features onto the tensors of a served signature. A feature's
 * `source` wins; features without one are mapped in order onto the columns of
 * the signature's only 2-D tensor, or onto a 1-D tensor of the same name.
 * Throws an Error naming the feature when a source does not fit the model.
 */
export function planFeatures(features: readonly FeatureProfile[], tensors: readonly TensorSpec[], role: 'input' | 'output'): FeaturePlan[] {
  const matrices = tensors.filter((t) => t.shape.length === 2);
  let nextColumn = 0;
  return features.map((feature, index) => {
    const where = `reference.json ${role === 'input' ? 'features' : 'outputs'}[${index}] "${feature.name}"`;
    const source = feature.source ?? implicitSource(feature.name);
    const tensor = tensors.find((t) => t.name === source.tensor);
    if (tensor === undefined) throw new Error(`${where}: the model has no ${role} "${source.tensor}"`);
    const width = tensor.shape.length === 2 ? tensor.shape[1]! : 1;
    if (tensor.shape.length > 2 || tensor.shape.length === 0) {
      throw new Error(`${where}: ${role} "${tensor.name}" must be [batch] or [batch, columns] to be monitored`);
    }
    if (width < 1) throw new Error(`${where}: ${role} "${tensor.name}" has a variable column count; give each feature a source column`);
    const column = source.column ?? 0;
    if (column >= width) throw new Error(`${where}: column ${column} is outside ${role} "${tensor.name}" (${width} columns)`);
    return { feature: index, tensor: tensor.name, stride: width, offset: column };
  });

  function implicitSource(name: string): { tensor: string; column?: number } {
    if (tensors.some((t) => t.name === name && t.shape.length <= 2)) return { tensor: name };
    if (matrices.length === 1) return { tensor: matrices[0]!.name, column: nextColumn++ };
    throw new Error(`reference.json feature "${name}" has no source, and the model has ${matrices.length} 2-D ${role}s: give each feature a source`);
  }
}
