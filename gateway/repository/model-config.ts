import { z } from 'zod';
import { DATATYPES, type DataType } from '../../runtimes/tensor.ts';

/**
 * The schema of `<repo>/<model>/config.yaml` (Triton's model configuration in
 * YAML, snake_case keys). Validated once when the model loads; unknown keys are
 * errors so a typo never silently falls back to a default.
 *
 * As in Triton, when `max_batch_size > 0` the `dims` of inputs and outputs leave
 * out the batch dimension, which the server adds as a leading -1.
 */

/** Accepts KServe names (FP32) and Triton's config spelling (TYPE_FP32, TYPE_STRING). */
const datatype = z.string().transform((value, ctx): DataType => {
  const name = value.startsWith('TYPE_') ? value.slice(5) : value;
  const normalized = name === 'STRING' ? 'BYTES' : name;
  if ((DATATYPES as readonly string[]).includes(normalized)) return normalized as DataType;
  ctx.addIssue({ code: 'custom', message: `expected one of ${DATATYPES.join(', ')}, got "${value}"` });
  return z.NEVER;
});

const tensorConfig = z.strictObject({
  name: z.string().min(1),
  datatype,
  dims: z.array(z.number().int().min(-1)),
});

const versionPolicy = z.union([
  z.strictObject({ latest: z.strictObject({ num_versions: z.number().int().min(1) }) }),
  z.strictObject({ all: z.strictObject({}) }),
  z.strictObject({ specific: z.strictObject({ versions: z.array(z.number().int().min(1)).min(1) }) }),
]);

/**
 * Triton's dynamic batching, flattened: present → requests are queued and
 * concatenated along the batch dim into one worker task (see gateway/scheduler).
 */
const dynamicBatching = z.strictObject({
  /** Batch sizes dispatched at once when exactly reachable. */
  preferred_batch_sizes: z.array(z.number().int().min(1)).default([]),
  /** Longest wait of a batch's oldest request for more to join; 0 dispatches what is there. */
  max_queue_delay_microseconds: z.number().int().min(0).default(0),
  /** Requests held in the queue before new ones are refused with 503; 0 = unlimited. */
  max_queue_size: z.number().int().min(0).default(0),
  /** Longest wait in the queue before a request fails with 504; 0 = none. Requests may lower it. */
  default_timeout_microseconds: z.number().int().min(0).default(0),
  /** Priority levels 1 (highest) .. N for `parameters.priority`; 0 = priorities off. */
  priority_levels: z.number().int().min(0).max(1000).default(0),
  /** Priority of a request that names none; 0 = the lowest level. */
  default_priority_level: z.number().int().min(0).default(0),
});

const threshold = z.strictObject({ warn: z.number().min(0).optional(), alert: z.number().min(0) });
const driftMethod = z.enum(['psi', 'js', 'wasserstein', 'ks', 'chisquare']);

/**
 * Input/output monitoring against the version's reference.json (see
 * gateway/monitoring). On by default when a version has a reference.json.
 */
const monitoring = z.strictObject({
  enabled: z.boolean().default(true),
  /** Feature names to monitor (bounds the series count); default: every profiled feature. */
  features: z.array(z.string().min(1)).optional(),
  /** Output names to monitor; default: every profiled output. */
  outputs: z.array(z.string().min(1)).optional(),
  window: z.union([
    z.strictObject({ kind: z.literal('count'), size: z.number().int().min(10) }),
    z.strictObject({ kind: z.literal('time'), seconds: z.number().min(1) }),
  ]).optional(),
  min_samples: z.number().int().min(1).optional(),
  numeric_method: driftMethod.optional(),
  categorical_method: z.enum(['psi', 'js', 'chisquare']).optional(),
  thresholds: z.partialRecord(driftMethod, threshold).optional(),
  /** Share of features in alert that puts the model in alert (Evidently's drift_share). */
  model_drift_share: z.number().gt(0).max(1).optional(),
});

/**
 * Warmup before a version turns READY: `runs` inferences per worker with zero
 * or random inputs of batch 1 (variable dims as 1), or the requests of a
 * KServe v2 JSON file in the version directory (`file`: a request body, or a list of them).
 */
const warmup = z.strictObject({
  inputs: z.enum(['zero', 'random', 'file']).default('zero'),
  file: z.string().regex(/^[A-Za-z0-9_.-]+\.json$/, 'expected a .json file name inside the version directory').optional(),
  runs: z.number().int().min(1).max(1000).default(1),
}).refine((w) => (w.inputs === 'file') === (w.file !== undefined), 'inputs: file needs file: NAME.json, and file needs inputs: file');

/**
 * Who owns the model and what it is: served with the model metadata. Free-form
 * beyond the named keys, but small (strings, numbers, booleans, lists and maps of them).
 */
const metadata = z.looseObject({
  owner: z.string().optional(),
  description: z.string().optional(),
  training_data: z.string().optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
});

/**
 * Where a version's instances run (Triton's instance_group). `count` instances
 * per listed GPU for gpu/auto (every visible GPU when `gpus` is left out), or on
 * the CPU for cpu; `auto` uses the GPU when one is usable and the CPU otherwise.
 * Triton's spelling (KIND_GPU) is accepted. Expanded by runtimes/placement.ts.
 */
const instanceGroup = z.strictObject({
  kind: z.preprocess(
    (value) => (typeof value === 'string' && value.startsWith('KIND_') ? value.slice(5).toLowerCase() : value),
    z.enum(['cpu', 'gpu', 'auto']),
  ).default('auto'),
  count: z.number().int().min(1).max(256).default(1),
  /** CUDA device ordinals as this process sees them (after CUDA_VISIBLE_DEVICES). */
  gpus: z.array(z.number().int().min(0)).min(1)
    .refine((ids) => new Set(ids).size === ids.length, 'expected each GPU id once')
    .optional(),
}).refine((group) => group.kind !== 'cpu' || group.gpus === undefined, { message: 'only for kind gpu or auto (a cpu group runs on the CPU)', path: ['gpus'] });

/** See platforms.ts: the artifact each one needs and the runtime that opens it. */
export const PLATFORMS = ['onnxruntime_onnx', 'tfjs_graph_model', 'tfjs_layers_model', 'tensorflow_savedmodel'] as const;

export const modelConfigSchema = z.strictObject({
  name: z.string().optional(),
  platform: z.enum(PLATFORMS).optional(),
  max_batch_size: z.number().int().min(0).optional(),
  input: z.array(tensorConfig).optional(),
  output: z.array(tensorConfig).optional(),
  /** Shorthand for one instance group: `{kind: device, count: instance_count}`. */
  instance_count: z.number().int().min(1).max(256).optional(),
  device: z.enum(['cpu', 'gpu']).optional(),
  instance_group: z.array(instanceGroup).min(1).optional(),
  version_policy: versionPolicy.optional(),
  dynamic_batching: dynamicBatching.optional(),
  monitoring: monitoring.optional(),
  warmup: warmup.optional(),
  metadata: metadata.optional(),
  /** TF Serving version labels (`/v1/models/{m}/labels/{label}`): label → version number. */
  version_labels: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.number().int().min(1)).optional(),
}).refine((config) => config.instance_group === undefined || (config.instance_count === undefined && config.device === undefined), {
  message: 'cannot be combined with instance_count or device (they are shorthand for one instance group): keep one or the other',
  path: ['instance_group'],
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type TensorConfig = z.infer<typeof tensorConfig>;
export type VersionPolicy = z.infer<typeof versionPolicy>;
export type DynamicBatchingConfig = z.infer<typeof dynamicBatching>;
export type MonitoringConfig = z.infer<typeof monitoring>;
export type WarmupConfig = z.infer<typeof warmup>;

/** Turns zod issues into one readable line: `max_batch_size: expected number, received string`. */
export function describeConfigIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
