/** A count and the total nanoseconds spent, as Triton's statistics report them. */
export interface Duration {
  count: number;
  ns: number;
}

const zero = (): Duration => ({ count: 0, ns: 0 });
const add = (d: Duration, ms: number): void => {
  d.count += 1;
  d.ns += Math.round(ms * 1e6);
};

/**
 * Per-version inference statistics in the shape of Triton's statistics
 * extension (kept apart from their Prometheus export). Updated on the request
 * path with a few additions; read by `GET /v2/models/{m}/stats`.
 */
export class VersionStatistics {
  lastInference = 0;
  /** Requests run (Triton's inference_count counts rows; see README). */
  inferenceCount = 0;
  /** Batches run (Triton's execution_count). */
  executionCount = 0;
  /** Requests dispatched to a worker (each counted once, whatever its rows). */
  dispatchedRequests = 0;
  readonly success = zero();
  readonly fail = zero();
  readonly queue = zero();
  readonly computeInfer = zero();
  private readonly batches = new Map<number, Duration>();

  /** A request that reached this version ended after `ms`. */
  request(succeeded: boolean, ms: number): void {
    add(succeeded ? this.success : this.fail, ms);
    this.lastInference = Date.now();
  }

  /** A batch left the queue with these rows and per-request waits. */
  dispatched(rows: number, queueWaitsMs: readonly number[]): void {
    this.executionCount += 1;
    this.dispatchedRequests += queueWaitsMs.length;
    this.inferenceCount += rows;
    for (const wait of queueWaitsMs) add(this.queue, wait);
  }

  /** A batch of `rows` ran on a worker for `ms`. */
  computed(rows: number, ms: number): void {
    add(this.computeInfer, ms);
    let perSize = this.batches.get(rows);
    if (perSize === undefined) this.batches.set(rows, (perSize = zero()));
    add(perSize, ms);
  }

  /** Triton's `model_stats` entry for this version. */
  toJSON(name: string, version: number): object {
    return {
      name,
      version: String(version),
      last_inference: this.lastInference,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: this.success,
        fail: this.fail,
        queue: this.queue,
        compute_input: zero(),
        compute_infer: this.computeInfer,
        compute_output: zero(),
      },
      batch_stats: [...this.batches.entries()]
        .sort(([a], [b]) => a - b)
        .map(([size, d]) => ({ batch_size: size, compute_input: zero(), compute_infer: d, compute_output: zero() })),
    };
  }
}
