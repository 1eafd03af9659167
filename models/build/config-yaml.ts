/**
 * Renders a model's config.yaml (the Triton-style format the gateway reads).
 *
 * Written by hand rather than through a YAML library so the layout (key order, flow
 * style for dims and version_policy, a leading comment) stays fixed and readable.
 */
import type { DataType } from '../../runtimes/tensor.ts';

export interface TensorConfig {
  name: string;
  datatype: DataType;
  /** Per-item dims: with max_batch_size > 0 the batch dim is implied and not listed. -1 = variable. */
  dims: number[];
}

export type VersionPolicy =
  | { latest: { num_versions: number } }
  | { all: Record<string, never> }
  | { specific: { versions: number[] } };

export interface ModelConfig {
  name: string;
  /** Default onnxruntime_onnx. */
  platform?: string;
  /** > 0: the first dim of every input and output is the batch dim. 0: no batching, dims are full shapes. */
  max_batch_size: number;
  input: TensorConfig[];
  output: TensorConfig[];
  instance_count?: number;
  version_policy?: VersionPolicy;
  /** Triton-style dynamic batching block (the gateway's keys; see README "Dynamic batching"). */
  dynamic_batching?: Record<string, number | number[]>;
}

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${flow(v)}`).join(', ')}}`;
  }
  return String(value);
}

function tensors(key: string, list: readonly TensorConfig[]): string[] {
  return [
    `${key}:`,
    ...list.flatMap((t) => [`  - name: ${t.name}`, `    datatype: ${t.datatype}`, `    dims: ${flow(t.dims)}`]),
  ];
}

/** `comment` lines are emitted as `# ...` above the config. */
export function renderConfig(config: ModelConfig, comment: readonly string[] = []): string {
  const lines = [
    ...comment.map((c) => (c ? `# ${c}` : '#')),
    `name: ${config.name}`,
    `platform: ${config.platform ?? 'onnxruntime_onnx'}`,
    `max_batch_size: ${config.max_batch_size}`,
    ...tensors('input', config.input),
    ...tensors('output', config.output),
  ];
  if (config.instance_count !== undefined) lines.push(`instance_count: ${config.instance_count}`);
  if (config.version_policy !== undefined) lines.push(`version_policy: ${flow(config.version_policy)}`);
  if (config.dynamic_batching !== undefined) lines.push(`dynamic_batching: ${flow(config.dynamic_batching)}`);
  return lines.join('\n') + '\n';
}
