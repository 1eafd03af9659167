import { Piscina } from 'piscina';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol.ts';
import type { NamedTensors, TensorSpec } from './tensor.ts';
import { transferList } from './transfer.ts';
import { providerSummary } from './placement.ts';

/**
 * The worker module: from the sources, a JS bootstrap that registers tsx in the
 * thread; from the build (dist/, where this file is bundled into cli.js), the
 * bundled worker.js beside it.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.js' : './worker.js', import.meta.url).href;

export interface PoolOptions {
  init: WorkerInit;
  /** Number of worker threads, each owning one session. */
  instances: number;
}

/** Where a pool's workers run, as served in the manifest. */
export interface PoolPlacement {
  device: string;
  deviceId?: number | undefined;
  count: number;
  executionProvider: string;
}

/**
 * The worker pool of one model version on one device (a version placed on
 * several devices has one per device, see pool-group.ts). Owns its threads:
 * `close()` lets running tasks finish, then ends the threads.
 */
export class ModelPool {
  private readonly piscina: Piscina<WorkerRequest, WorkerResponse>;
  /** What the model declares, as its sessions report it. */
  inputs: TensorSpec[] = [];
  outputs: TensorSpec[] = [];
  /** The providers the workers' sessions opened with, e.g. "cuda" (a comma list if they differ). */
  executionProvider = 'unknown';
  /** Why workers run on a lesser provider than placement chose (distinct reasons). */
  fallbacks: string[] = [];
  runtime = 'unknown';
  runtimeVersion = 'unknown';
  readonly instances: number;
  private readonly init: WorkerInit;

  private closing = false;
  private deaths: number[] = [];

  private constructor(options: PoolOptions) {
    this.instances = options.instances;
    this.init = options.init;
    this.piscina = new Piscina({
      filename: WORKER_ENTRY,
      workerData: options.init,
      minThreads: options.instances,
      maxThreads: options.instances,
      // Threads stay up for the life of the version: opening a session is expensive.
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
    });
    // A worker that dies between tasks is replaced by piscina; the error must not crash the process.
    this.piscina.on('error', () => {});
    // Unexpected exits are remembered: a pool whose workers keep dying is not healthy.
    // ('workerCreate' carries piscina's own handle, so the new threads are found in `threads`.)
    const watched = new WeakSet<object>();
    this.piscina.on('workerCreate', () => {
      for (const thread of this.piscina.threads) {
        if (watched.has(thread)) continue;
        watched.add(thread);
        thread.once('exit', () => {
          if (!this.closing) this.deaths.push(Date.now());
        });
      }
    });
  }

  /** Starts the threads and resolves once every one of them has opened its session. */
  static async start(options: PoolOptions): Promise<ModelPool> {
    const pool = new ModelPool(options);
    try {
      const pongs = await Promise.all(
        Array.from({ length: options.instances }, () => pool.piscina.run({ kind: 'ping' })),
      );
      const first = pongs[0];
      if (first?.kind === 'pong') {
        pool.inputs = first.inputs;
        pool.outputs = first.outputs;
        pool.runtime = first.runtime;
        pool.runtimeVersion = first.runtimeVersion;
      }
      // Every worker opened its own session: a kind auto worker may have fallen back where another did not.
      const pongsOnly = pongs.flatMap((p) => (p.kind === 'pong' ? [p] : []));
      pool.executionProvider = providerSummary(pongsOnly.map((p) => p.executionProvider));
      pool.fallbacks = [...new Set(pongsOnly.flatMap((p) => (p.fallback === undefined ? [] : [p.fallback])))];
    } catch (error) {
      await pool.piscina.destroy();
      throw error;
    }
    return pool;
  }

  /** Where this pool runs, for the manifest. */
  placement(): PoolPlacement[] {
    const { device, deviceId } = this.init.load;
    return [{ device, ...(device === 'gpu' ? { deviceId: deviceId ?? 0 } : {}), count: this.instances, executionProvider: this.executionProvider }];
  }

  /** Runs one inference; input buffers are transferred (the caller must not reuse them). */
  async infer(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    const response = await this.piscina.run(
      { kind: 'infer', inputs, outputs },
      { transferList: transferList(inputs) },
    );
    if (response.kind !== 'infer') throw new Error('worker answered an inference with a ping reply');
    return response.outputs;
  }

  /** For tests and health: the live worker threads. */
  workerThreads(): readonly import('node:worker_threads').Worker[] {
    return this.piscina.threads;
  }

  /** Worker threads that exited unexpectedly within the last `windowMs`. */
  recentWorkerDeaths(windowMs: number, now = Date.now()): number {
    this.deaths = this.deaths.filter((t) => now - t <= windowMs);
    return this.deaths.length;
  }

  /** Graceful: running tasks finish. Forced: threads are terminated and their tasks fail. */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (force) await this.piscina.destroy();
    else await this.piscina.close();
  }
}
