import os from 'node:os';
import { ModelPool } from '../../runtimes/pool.ts';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import type { Device } from '../../runtimes/runtime.ts';
import { resolveSignature, type ServedSignature } from '../repository/resolve-config.ts';
import type { ModelConfig } from '../repository/model-config.ts';
import { runtimeFailure, sanitize } from './runtime-error.ts';

/** Triton's lifecycle states; UNAVAILABLE carries the reason. */
export type VersionState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

export interface VersionSource {
  model: string;
  version: number;
  /** Real path of the artifact, already checked to lie inside the repository. */
  artifact: string;
  config: ModelConfig | undefined;
}

/** How many threads a version gets: instances × intra-op threads stays within the cores. */
export function threadPlan(config: ModelConfig | undefined, cores = os.availableParallelism()): { instances: number; intraOpThreads: number } {
  const instances = config?.instance_count ?? cores;
  return { instances, intraOpThreads: Math.max(1, Math.floor(cores / instances)) };
}

/**
 * One loaded version of a model: its worker pool and the signature it serves.
 * Owns the pool; `unload()` lets running requests finish first.
 */
export class ModelVersion {
  state: VersionState = 'LOADING';
  reason: string | undefined;
  signature: ServedSignature | undefined;
  loadSeconds = 0;
  private pool: ModelPool | undefined;

  constructor(readonly source: VersionSource) {}

  get model(): string {
    return this.source.model;
  }

  get version(): number {
    return this.source.version;
  }

  get platform(): string {
    return this.source.config?.platform ?? 'onnxruntime_onnx';
  }

  get executionProvider(): string {
    return this.pool?.executionProvider ?? 'none';
  }

  /** Loads the pool; never throws: a failure leaves the version UNAVAILABLE with its reason. */
  async load(): Promise<void> {
    const started = performance.now();
    const { instances, intraOpThreads } = threadPlan(this.source.config);
    const device: Device = this.source.config?.device ?? 'cpu';
    try {
      this.pool = await ModelPool.start({
        init: { runtime: 'onnxruntime', load: { modelPath: this.source.artifact, device, intraOpThreads } },
        instances,
      });
      this.signature = resolveSignature(this.source.config, this.pool);
      this.state = 'READY';
    } catch (error) {
      await this.pool?.close();
      this.pool = undefined;
      this.state = 'UNAVAILABLE';
      this.reason = `failed to load: ${sanitize(error instanceof Error ? error.message : String(error))}`;
    }
    this.loadSeconds = (performance.now() - started) / 1000;
  }

  /** Runs one request on a worker. Input buffers are transferred to the worker. */
  async infer(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    const pool = this.pool;
    if (pool === undefined) throw new Error('infer() on a version that is not loaded');
    try {
      return await pool.infer(inputs, outputs ?? this.signature?.outputs.map((o) => o.name));
    } catch (error) {
      throw runtimeFailure(this.model, this.version, error);
    }
  }

  /** For tests: the live worker threads of this version. */
  workerThreads(): readonly import('node:worker_threads').Worker[] {
    return this.pool?.workerThreads() ?? [];
  }

  /** Running requests finish first unless `force` (shutdown past its grace period). */
  async unload(force = false): Promise<void> {
    this.state = 'UNLOADING';
    await this.pool?.close(force);
    this.pool = undefined;
    this.state = 'UNAVAILABLE';
    this.reason = 'unloaded';
  }
}
