import { invalidInput } from '../errors.ts';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import { admit, decideBatch, insertionIndex, type BatchPolicy, type QueuedItem } from './batch-policy.ts';
import { concatBatch, requestRows, shapeKey, splitBatch } from './batch-tensors.ts';
import { clientGone, queueFull, queueTimeout, shuttingDown } from './queue-errors.ts';
import { validatePriority, validateTimeout } from './request-parameters.ts';

/** Runs one batch (e.g. `pool.infer`); input buffers may be transferred away. */
export type RunBatch = (inputs: NamedTensors, outputNames: readonly string[]) => Promise<NamedTensors>;

export interface BatchRequest {
  inputs: NamedTensors;
  /** Outputs to compute, already resolved by the caller (no "all outputs" default here). */
  outputNames: readonly string[];
  /** 1 (highest) .. priorityLevels; absent or 0 = the policy's default. */
  priority?: number;
  /** µs this request may wait in the queue; can only lower the policy's default. */
  timeoutUs?: number;
  /** Tells when the client goes away: a still-queued request is removed and rejected. */
  cancel?: Cancellation | undefined;
}

/**
 * The client's side of a queued request, as the batcher needs it. `cancelled` is read once,
 * at submit: a request whose client is already gone is refused. `onCancel` is called once
 * per queued request; it calls `callback` (at most once) when the client goes away, unless
 * the function it returned was called first: the batcher calls that when the request leaves
 * the queue. The HTTP layer implements it on the Node response's 'close'
 * (gateway/http/disconnect.ts) rather than with an AbortSignal: hono building one per
 * request cost ≈ 3–4 µs of main-thread time at c=128 (bench/RESULTS.md).
 */
export interface Cancellation {
  readonly cancelled: boolean;
  onCancel(callback: () => void): () => void;
}

const nothingToDetach = (): void => {};

export interface BatcherOptions {
  /**
   * Batches running at once (default 1). Pass the pool's worker count (or one more, to
   * hide the ~100 µs hop): more would only park small batches in piscina's queue,
   * where they can no longer grow, be prioritised, time out or be cancelled.
   */
  maxInflightBatches?: number;
  /** Called as each batch is dispatched: its rows (1 per request when maxBatchSize is 0) and each request's queue wait. */
  onBatch?: (size: number, queueWaitsMs: number[]) => void;
  /** Prefix of error messages, e.g. `model "iris" version 1`. */
  label?: string;
}

interface Entry extends QueuedItem {
  inputs: NamedTensors;
  outputNames: readonly string[];
  timeoutUs: number;
  resolve: (outputs: NamedTensors) => void;
  reject: (error: unknown) => void;
  /** Unregisters the cancellation callback; called once the entry leaves the queue. */
  detach: () => void;
}

/**
 * One dynamic batcher per model version: keeps the queue (in service order), asks
 * `decideBatch` what to do, keeps ONE timer for the decision's `wakeAt`, and runs batches.
 * A decision pass runs once per event-loop turn after arrivals (setImmediate), so requests
 * arriving in the same turn are seen together; after completions; and when the timer fires.
 * Timer resolution is 1 ms: a sub-millisecond delay rounds up unless an event comes first.
 */
export class DynamicBatcher {
  private queue: Entry[] = [];
  private inflight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private passScheduled = false;
  private closed = false;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  private readonly maxInflight: number;

  constructor(
    private readonly policy: BatchPolicy,
    private readonly run: RunBatch,
    private readonly clock: () => number = () => performance.now(),
    private readonly options: BatcherOptions = {},
  ) {
    this.maxInflight = options.maxInflightBatches ?? 1;
    if (!Number.isInteger(this.maxInflight) || this.maxInflight < 1) {
      throw new Error(`maxInflightBatches must be a positive integer, got ${this.maxInflight}`);
    }
  }

  /** Requests waiting (not yet dispatched). */
  get queueLength(): number {
    return this.queue.length;
  }

  /** Batches dispatched and not yet settled. */
  get inflightBatches(): number {
    return this.inflight;
  }

  /**
   * Queues one request; resolves with exactly its own rows of the batch result. Rejects at
   * once when closed, cancelled, invalid or the queue is full; later on timeout, cancellation,
   * or a failure of the batch it ran in (every request of that batch gets the same error).
   */
  submit(request: BatchRequest): Promise<NamedTensors> {
    const label = this.options.label;
    if (this.closed) return Promise.reject(shuttingDown(label));
    if (request.cancel?.cancelled === true) return Promise.reject(clientGone(label));
    let priority: number;
    let timeoutUs: number;
    let rows = 1;
    try {
      priority = validatePriority(request.priority, this.policy);
      timeoutUs = validateTimeout(request.timeoutUs, this.policy);
      if (this.policy.maxBatchSize > 0) {
        rows = requestRows(request.inputs);
        // Validation refuses these earlier; kept so a batch never exceeds the model's limit.
        if (rows > this.policy.maxBatchSize) {
          throw invalidInput(`batch dimension ${rows} exceeds the model's max_batch_size ${this.policy.maxBatchSize}`);
        }
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (!admit(this.queue.length, this.policy)) return Promise.reject(queueFull(this.policy.maxQueueSize, label));

    return new Promise<NamedTensors>((resolve, reject) => {
      const enqueuedAt = this.clock();
      const onCancel = (): void => {
        const index = this.queue.indexOf(entry);
        if (index < 0) return;
        this.queue.splice(index, 1);
        entry.detach();
        reject(clientGone(label));
        this.schedulePass();
      };
      const entry: Entry = {
        rows,
        shapeKey: this.policy.maxBatchSize > 0 ? shapeKey(request.inputs, request.outputNames) : '',
        priority,
        enqueuedAt,
        deadline: timeoutUs > 0 ? enqueuedAt + timeoutUs / 1000 : Number.POSITIVE_INFINITY,
        inputs: request.inputs,
        outputNames: request.outputNames,
        timeoutUs,
        resolve,
        reject,
        detach: nothingToDetach,
      };
      if (request.cancel !== undefined) entry.detach = request.cancel.onCancel(onCancel);
      this.queue.splice(insertionIndex(this.queue, entry), 0, entry);
      this.schedulePass();
    });
  }

  /**
   * Stops taking requests. `drain: true` dispatches everything queued (no more batching
   * delay, deadlines still apply); otherwise queued requests are rejected with
   * MODELGATE_ERR_SHUTTING_DOWN. Either way resolves once no batch is in flight.
   * A second close without drain forces a drain in progress.
   */
  close(options: { drain?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (options.drain === true) {
      this.draining = true;
      this.schedulePass();
    } else {
      this.draining = false;
      const left = this.queue;
      this.queue = [];
      this.arm(Number.POSITIVE_INFINITY);
      for (const entry of left) {
        entry.detach();
        entry.reject(shuttingDown(this.options.label));
      }
    }
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  private schedulePass(): void {
    if (this.passScheduled) return;
    this.passScheduled = true;
    setImmediate(() => {
      this.passScheduled = false;
      this.pass();
    });
  }

  /** Applies decisions until nothing more can happen now, then arms the timer. */
  private pass(): void {
    const policy = this.draining ? { ...this.policy, maxQueueDelayUs: 0 } : this.policy;
    for (;;) {
      const now = this.clock();
      const decision = decideBatch(this.queue, policy, now);
      const expired = decision.expired.map((i) => this.queue[i] as Entry);
      const batch = this.inflight < this.maxInflight ? decision.dispatch.map((i) => this.queue[i] as Entry) : [];
      if (expired.length === 0 && batch.length === 0) {
        this.arm(decision.wakeAt);
        break;
      }
      const leaving = new Set<Entry>([...expired, ...batch]);
      this.queue = this.queue.filter((entry) => !leaving.has(entry));
      for (const entry of leaving) entry.detach();
      for (const entry of expired) entry.reject(queueTimeout(entry.timeoutUs, this.options.label));
      if (batch.length > 0) void this.dispatch(batch, now);
    }
    this.notifyIdle();
  }

  /** Keeps at most one timer, set for `wakeAt` (ms on the batcher's clock). */
  private arm(wakeAt: number): void {
    if (wakeAt === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = wakeAt;
    if (wakeAt === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pass();
    }, Math.max(1, Math.ceil(wakeAt - this.clock())));
  }

  private async dispatch(batch: readonly Entry[], now: number): Promise<void> {
    this.inflight += 1;
    const rows = batch.map((entry) => entry.rows);
    try {
      this.options.onBatch?.(rows.reduce((sum, r) => sum + r, 0), batch.map((entry) => now - entry.enqueuedAt));
    } catch {
      // A metrics hook must never fail a batch.
    }
    try {
      const first = batch[0] as Entry;
      // A lone request runs on its own tensors: no copy in, no split out.
      const inputs = batch.length === 1 ? first.inputs : concatBatch(batch.map((entry) => entry.inputs));
      const outputs = await this.run(inputs, first.outputNames);
      const parts = batch.length === 1 ? [outputs] : splitBatch(outputs, rows);
      batch.forEach((entry, i) => entry.resolve(parts[i] as NamedTensors));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inflight -= 1;
      this.schedulePass();
    }
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.inflight > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
