import type { DynamicBatchingConfig, ModelConfig } from '../repository/model-config.ts';
import type { ServedSignature } from '../repository/resolve-config.ts';
import type { BatchPolicy } from './batch-policy.ts';

/**
 * The scheduling policy of one version, from its config and served signature.
 * - `dynamic_batching` present: Triton's dynamic batcher with those settings.
 * - No config.yaml at all and a batchable model: dynamic batching with the
 *   defaults (Triton's auto-complete does the same).
 * - Otherwise: every request is dispatched alone (maxBatchSize 0 here means
 *   "do not concatenate"), still through the queue so drain and disconnects work.
 * Throws an Error naming the setting when the config contradicts the model.
 */
export function batchPolicyFor(config: ModelConfig | undefined, signature: ServedSignature): BatchPolicy {
  const batching: Partial<DynamicBatchingConfig> | undefined = config === undefined
    ? (signature.maxBatchSize > 0 ? {} : undefined)
    : config.dynamic_batching;
  if (batching !== undefined && signature.maxBatchSize === 0) {
    throw new Error('config.yaml dynamic_batching: needs max_batch_size > 0 (the model has no batch dimension)');
  }
  const preferred = batching?.preferred_batch_sizes ?? [];
  const tooLarge = preferred.filter((size) => size > signature.maxBatchSize);
  if (tooLarge.length > 0) {
    throw new Error(`config.yaml dynamic_batching.preferred_batch_sizes: ${tooLarge.join(', ')} exceed max_batch_size ${signature.maxBatchSize}`);
  }
  const priorityLevels = batching?.priority_levels ?? 0;
  const defaultPriority = batching?.default_priority_level ?? 0;
  if (defaultPriority > priorityLevels) {
    throw new Error(`config.yaml dynamic_batching.default_priority_level: ${defaultPriority} is above priority_levels ${priorityLevels}`);
  }
  return {
    maxBatchSize: batching === undefined ? 0 : signature.maxBatchSize,
    preferredBatchSizes: [...preferred].sort((a, b) => a - b),
    maxQueueDelayUs: batching?.max_queue_delay_microseconds ?? 0,
    maxQueueSize: batching?.max_queue_size ?? 0,
    defaultTimeoutUs: batching?.default_timeout_microseconds ?? 0,
    priorityLevels,
    // 0 means "the lowest level", as in Triton.
    defaultPriority: defaultPriority === 0 ? Math.max(1, priorityLevels) : defaultPriority,
  };
}
