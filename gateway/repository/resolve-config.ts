import type { TensorSpec } from '../../runtimes/tensor.ts';
import type { ModelConfig, TensorConfig } from './model-config.ts';

/** Batch size given to models whose config leaves it out but whose tensors all have a variable first dim. */
export const AUTOCOMPLETE_MAX_BATCH_SIZE = 64;

/** What one served version declares: config and artifact, reconciled. Full shapes (batch dim included). */
export interface ServedSignature {
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * Reconciles config.yaml with what the artifact declares (Triton's
 * auto-complete). Throws an Error whose message says what disagrees.
 * - No `input`/`output` in config: taken from the model as they are.
 * - No `max_batch_size`: 64 when every input and output has a variable first
 *   dimension (the model batches), else 0.
 * - Config tensors must name real model tensors with the same datatype and
 *   compatible dims; a config may fix a dim the model leaves variable, and may
 *   list a subset of the outputs (only those are served).
 */
export function resolveSignature(config: ModelConfig | undefined, model: { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] }): ServedSignature {
  const batchable = [...model.inputs, ...model.outputs].every((t) => t.shape.length > 0 && t.shape[0] === -1);
  const maxBatchSize = config?.max_batch_size ?? (batchable ? AUTOCOMPLETE_MAX_BATCH_SIZE : 0);
  if (maxBatchSize > 0 && !batchable) {
    throw new Error(`max_batch_size ${maxBatchSize} needs every model input and output to have a variable first (batch) dimension`);
  }
  const inputs = config?.input
    ? reconcile(config.input, model.inputs, maxBatchSize, 'input')
    : model.inputs.map(copySpec);
  if (config?.input) {
    const missing = model.inputs.filter((m) => !inputs.some((i) => i.name === m.name));
    if (missing.length > 0) throw new Error(`config.yaml input: the model also needs ${missing.map((m) => `"${m.name}"`).join(', ')}`);
  }
  const outputs = config?.output
    ? reconcile(config.output, model.outputs, maxBatchSize, 'output')
    : model.outputs.map(copySpec);
  return { maxBatchSize, inputs, outputs };
}

function copySpec(spec: TensorSpec): TensorSpec {
  return { name: spec.name, datatype: spec.datatype, shape: [...spec.shape] };
}

function reconcile(configured: readonly TensorConfig[], declared: readonly TensorSpec[], maxBatchSize: number, role: 'input' | 'output'): TensorSpec[] {
  const seen = new Set<string>();
  return configured.map((tensor, index) => {
    const where = `config.yaml ${role}[${index}] "${tensor.name}"`;
    if (seen.has(tensor.name)) throw new Error(`${where}: listed twice`);
    seen.add(tensor.name);
    const actual = declared.find((d) => d.name === tensor.name);
    if (actual === undefined) {
      throw new Error(`${where}: the model has no such ${role} (it has ${declared.map((d) => `"${d.name}"`).join(', ')})`);
    }
    if (actual.datatype !== tensor.datatype) {
      throw new Error(`${where}: datatype ${tensor.datatype} but the model declares ${actual.datatype}`);
    }
    const shape = maxBatchSize > 0 ? [-1, ...tensor.dims] : [...tensor.dims];
    const compatible = shape.length === actual.shape.length && shape.every((d, i) => actual.shape[i] === -1 || d === actual.shape[i]);
    if (!compatible) {
      throw new Error(`${where}: shape ${formatShape(shape)} (with the batch dim) does not fit the model's ${formatShape(actual.shape)}`);
    }
    return { name: tensor.name, datatype: tensor.datatype, shape };
  });
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
