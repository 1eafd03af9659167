import type { Worker } from 'node:worker_threads';
import { ModelPool, type PoolPlacement } from './pool.ts';
import { providerSummary, type PlacedPool, type Placement } from './placement.ts';
import type { NamedTensors, TensorSpec } from './tensor.ts';
import type { WorkerInit } from './worker-protocol.ts';

/** What a model version needs of its workers, whether they form one pool or several. */
export type VersionPool = Pick<
  ModelPool,
  'inputs' | 'outputs' | 'runtime' | 'runtimeVersion' | 'executionProvider' | 'fallbacks' | 'instances' | 'placement' | 'infer' | 'workerThreads' | 'recentWorkerDeaths' | 'close'
>;

/**
 * Starts one pool per placed device. A single pool is returned as is, so the
 * common case dispatches exactly as before; several are wrapped in a PoolGroup.
 * If any pool fails to start, the others are closed and its error is thrown
 * (a runtime's session errors name the device).
 */
export async function startPools(placement: Placement, initFor: (pool: PlacedPool) => WorkerInit): Promise<VersionPool> {
  const started = await Promise.allSettled(placement.pools.map((p) => ModelPool.start({ init: initFor(p), instances: p.count })));
  const failed = started.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close(true) : undefined)));
    throw (started[failed] as PromiseRejectedResult).reason;
  }
  const pools = started.map((s) => (s as PromiseFulfilledResult<ModelPool>).value);
  return pools.length === 1 ? pools[0]! : new PoolGroup(pools);
}

/**
 * Several pools of one version (e.g. a GPU and the CPU) behind one `infer()`.
 * A batch goes to the first pool, in config order, with an idle worker; the
 * version's batcher keeps at most `instances` batches in flight, so one always
 * has. (If none had, the least loaded pool queues it.)
 */
export class PoolGroup implements VersionPool {
  readonly instances: number;
  /** Tasks in flight and workers, per pool. */
  private readonly busy: number[];
  private readonly capacity: number[];

  constructor(private readonly pools: readonly ModelPool[]) {
    this.instances = pools.reduce((sum, p) => sum + p.instances, 0);
    this.busy = pools.map(() => 0);
    this.capacity = pools.map((p) => p.instances);
  }

  get inputs(): TensorSpec[] {
    return this.pools[0]!.inputs;
  }

  get outputs(): TensorSpec[] {
    return this.pools[0]!.outputs;
  }

  get runtime(): string {
    return this.pools[0]!.runtime;
  }

  get runtimeVersion(): string {
    return this.pools[0]!.runtimeVersion;
  }

  get executionProvider(): string {
    return providerSummary(this.pools.flatMap((p) => p.executionProvider.split(',')));
  }

  get fallbacks(): string[] {
    return [...new Set(this.pools.flatMap((p) => p.fallbacks))];
  }

  placement(): PoolPlacement[] {
    return this.pools.flatMap((p) => p.placement());
  }

  async infer(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    const index = pickPool(this.busy, this.capacity);
    this.busy[index]! += 1;
    try {
      return await this.pools[index]!.infer(inputs, outputs);
    } finally {
      this.busy[index]! -= 1;
    }
  }

  workerThreads(): readonly Worker[] {
    return this.pools.flatMap((p) => p.workerThreads());
  }

  recentWorkerDeaths(windowMs: number, now = Date.now()): number {
    return this.pools.reduce((sum, p) => sum + p.recentWorkerDeaths(windowMs, now), 0);
  }

  async close(force = false): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close(force)));
  }
}

/** The first pool with an idle worker; when all are busy, the least loaded by share (the first of equals). */
export function pickPool(busy: readonly number[], capacity: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < busy.length; i += 1) {
    const load = busy[i]! / capacity[i]!;
    if (load < 1) return i;
    if (load < busy[best]! / capacity[best]!) best = i;
  }
  return best;
}
