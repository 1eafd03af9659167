import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import type { BatchPolicy } from './batch-policy.ts';
import { DynamicBatcher, type BatcherOptions, type BatchRequest, type RunBatch } from './batcher.ts';

/**
 * Test fixtures for batcher.test.ts: requests whose every row names its owner, the
 * result each must get back, and a fake `run` that records the batches it was given.
 */

export const base: BatchPolicy = {
  maxBatchSize: 8,
  preferredBatchSizes: [],
  maxQueueDelayUs: 0,
  maxQueueSize: 0,
  defaultTimeoutUs: 0,
  priorityLevels: 3,
  defaultPriority: 2,
};

/** Request `id` with `rows` rows; row k is [id, k], so every result row names its owner. */
export function request(id: number, rows = 1, extra: Partial<BatchRequest> = {}): BatchRequest {
  const data = new Float32Array(rows * 2);
  for (let k = 0; k < rows; k++) data.set([id, k], k * 2);
  return { inputs: { x: { datatype: 'FP32', shape: [rows, 2], data } }, outputNames: ['y'], ...extra };
}

/** The result request `id` must get: y[k] = 1000·id + k, shape [rows, 1]. */
export function expected(id: number, rows = 1): NamedTensors {
  return { y: { datatype: 'FP32', shape: [rows, 1], data: Float32Array.from({ length: rows }, (_, k) => 1000 * id + k) } };
}

export function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** A fake `run` that records each batch (the request id of each row) and computes y from x. */
export function fakeRun(options: { hold?: Promise<void>; delayMs?: number; failIf?: (ids: number[]) => boolean } = {}) {
  const batches: number[][] = [];
  const run: RunBatch = async (inputs) => {
    const x = inputs.x;
    assert.ok(x !== undefined);
    const rows = x.shape[0] ?? 0;
    const data = x.data as Float32Array;
    const ids = Array.from({ length: rows }, (_, k) => data[k * 2] as number);
    batches.push(ids);
    await options.hold;
    if (options.delayMs !== undefined) await sleep(options.delayMs);
    if (options.failIf?.(ids) === true) throw new Error(`batch ${ids.join(',')} failed`);
    const y = Float32Array.from({ length: rows }, (_, k) => 1000 * (data[k * 2] as number) + (data[k * 2 + 1] as number));
    return { y: { datatype: 'FP32', shape: [rows, 1], data: y } };
  };
  return { run, batches };
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function batcher(policy: Partial<BatchPolicy>, run: RunBatch, options: BatcherOptions = {}, clock?: () => number): DynamicBatcher {
  return new DynamicBatcher({ ...base, ...policy }, run, clock, options);
}
