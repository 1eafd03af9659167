import os from 'node:os';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startPools, type VersionPool } from '../../runtimes/pool-group.ts';
import { instanceGroupsOf, placeInstances } from '../../runtimes/placement.ts';
import { probeHost } from '../../runtimes/host-facts.ts';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import { resolveSignature, type ServedSignature } from '../repository/resolve-config.ts';
import type { ModelConfig } from '../repository/model-config.ts';
import { runtimeFailure, sanitize } from './runtime-error.ts';
import { DynamicBatcher, type Cancellation } from '../scheduler/batcher.ts';
import { batchPolicyFor } from '../scheduler/policy-from-config.ts';
import type { BatchPolicy } from '../scheduler/batch-policy.ts';
import { DriftMonitor } from '../monitoring/drift-monitor.ts';
import { parseReferenceProfile } from '../monitoring/drift/reference-profile.ts';
import { checkLock, describeVersion, hashVersionFiles, type VersionManifest } from '../repository/manifest.ts';
import { checkConfiguredPlatform, PLATFORM_RUNTIME, type Platform } from '../repository/platforms.ts';
import { VersionStatistics } from './version-statistics.ts';
import { RequestLog } from './request-log.ts';

import { checkedMove, type VersionState } from './lifecycle.ts';
import { warmUp } from './warmup.ts';

export type { VersionState };

const MODEL_CARD = 'MODEL_CARD.md';
const MODEL_CARD_MAX_BYTES = 64 * 1024;

/** A version whose workers died this many times within the window is reported not ready. */
const WORKER_DEATHS_UNHEALTHY = 3;
const WORKER_DEATH_WINDOW_MS = 60_000;

export interface VersionSource {
  model: string;
  version: number;
  /** Real path of the artifact, already checked to lie inside the repository. */
  artifact: string;
  /** The artifact's platform when config.yaml names none (detected from the version directory). */
  platform?: Platform | undefined;
  /** Real path of the version directory (every file in it is hashed into the manifest). */
  versionDirectory: string;
  config: ModelConfig | undefined;
  /** Real path of the version's reference.json (inside the repository), when it has one. */
  reference?: string | undefined;
}

/** One inference as the HTTP layer hands it over: validated tensors and scheduling parameters. */
export interface InferCall {
  inputs: NamedTensors;
  /** Outputs to compute; resolved by the caller (all served outputs when the request names none). */
  outputNames: readonly string[];
  /** `parameters.priority` as sent (validated by the scheduler). */
  priority?: unknown;
  /** `parameters.timeout` in µs as sent (validated by the scheduler; may only lower the default). */
  timeoutUs?: unknown;
  /** Tells when the client disconnects: a still-queued request is dropped. */
  cancel?: Cancellation | undefined;
}

/** Receives what the scheduler does, for metrics. Calls are synchronous and must be cheap. */
export interface VersionObserver {
  /** A version was created (before it loads): pre-create its series. */
  created?(version: ModelVersion): void;
  /** A batch left the queue: its rows and each request's wait in the queue (ms). */
  dispatched(version: ModelVersion, rows: number, queueWaitsMs: readonly number[]): void;
  /** A batch finished on a worker (successfully or not) after `computeMs`. */
  computed(version: ModelVersion, computeMs: number): void;
}

/**
 * One loaded version of a model: its worker pool and the signature it serves.
 * Owns the pool; `unload()` lets running requests finish first.
 */
export class ModelVersion {
  state: VersionState = 'LOADING';
  reason: string | undefined;
  signature: ServedSignature | undefined;
  policy: BatchPolicy | undefined;
  loadSeconds = 0;
  /** sha256 (hex) of the artifact as loaded. */
  artifactSha256 = '';
  /** What exactly was loaded: every file's hash, the config hash, the runtime. */
  manifest: VersionManifest | undefined;
  /** The version's MODEL_CARD.md (first MODEL_CARD_MAX_BYTES), when it has one. */
  modelCard: string | undefined;
  /** Triton-shaped statistics (GET .../stats). */
  readonly statistics = new VersionStatistics();
  /** Recent requests, for comparisons over a window (rollouts). */
  readonly requestLog = new RequestLog();
  /** Input/output drift monitoring; undefined without a reference.json or with monitoring off. */
  monitor: DriftMonitor | undefined;
  /** Requests handed to infer() and not yet settled (queued or running). */
  inflight = 0;
  /** Why instances run on a lesser device than configured (kind auto on the CPU, TensorRT → CUDA): logged once per load. */
  placementWarnings: string[] = [];
  private pool: VersionPool | undefined;
  private batcher: DynamicBatcher | undefined;

  constructor(readonly source: VersionSource, private readonly observer?: VersionObserver) {
    observer?.created?.(this);
  }

  get model(): string {
    return this.source.model;
  }

  get version(): number {
    return this.source.version;
  }

  get platform(): Platform {
    return this.source.config?.platform ?? this.source.platform ?? 'onnxruntime_onnx';
  }

  get executionProvider(): string {
    return this.pool?.executionProvider ?? 'none';
  }

  /** Loads the pool; never throws: a failure leaves the version UNAVAILABLE with its reason. */
  async load(): Promise<void> {
    const started = performance.now();
    try {
      // Hash every file first: a version whose manifest.lock disagrees never reaches the runtime.
      const files = await hashVersionFiles(this.source.versionDirectory);
      await checkLock(this.source.versionDirectory, { files });
      this.artifactSha256 = files.find((f) => f.path === path.relative(this.source.versionDirectory, this.source.artifact))?.sha256 ?? (await sha256File(this.source.artifact));
      await checkConfiguredPlatform(this.source.config?.platform, this.source.artifact);
      // Groups → pools (one per device); kind gpu without a usable GPU throws its reason here.
      const runtime = PLATFORM_RUNTIME[this.platform];
      const groups = instanceGroupsOf(this.source.config, os.availableParallelism());
      const placement = placeInstances(groups, await probeHost(runtime, groups));
      const instances = placement.instances;
      this.pool = await startPools(placement, (p) => ({
        runtime,
        load: { modelPath: this.source.artifact, device: p.device, deviceId: p.deviceId, intraOpThreads: p.intraOpThreads, providers: p.providers, cpuFallback: p.cpuFallback },
      }));
      this.placementWarnings = [...placement.warnings, ...this.pool.fallbacks];
      this.manifest = describeVersion(files, {
        model: this.model,
        version: this.version,
        runtime: this.pool.runtime,
        runtimeVersion: this.pool.runtimeVersion,
        executionProvider: this.pool.executionProvider,
        instances: this.pool.placement(),
        config: this.source.config,
      });
      if (files.some((f) => f.path === MODEL_CARD)) {
        const card = await readFile(path.join(this.source.versionDirectory, MODEL_CARD), 'utf8');
        this.modelCard = card.length > MODEL_CARD_MAX_BYTES ? `${card.slice(0, MODEL_CARD_MAX_BYTES)}…` : card;
      }
      this.signature = resolveSignature(this.source.config, this.pool);
      this.policy = batchPolicyFor(this.source.config, this.signature);
      this.monitor = await this.openMonitor(this.signature);
      const pool = this.pool;
      const warmup = this.source.config?.warmup;
      if (warmup !== undefined) {
        await warmUp(warmup, this.signature, this.source.versionDirectory, instances, (inputs, outputs) => pool.infer(inputs, outputs));
      }
      const label = `model "${this.model}" version ${this.version}`;
      this.batcher = new DynamicBatcher(this.policy, (inputs, outputs) => this.runOnPool(pool, inputs, outputs), undefined, {
        // One batch per worker: the rest wait in our queue, where they can still batch, time out or be dropped.
        maxInflightBatches: instances,
        label,
        onBatch: (rows, queueWaitsMs) => {
          this.statistics.dispatched(rows, queueWaitsMs);
          this.observer?.dispatched(this, rows, queueWaitsMs);
        },
      });
      this.state = checkedMove(this.state, 'READY');
    } catch (error) {
      await this.pool?.close();
      this.pool = undefined;
      this.state = checkedMove(this.state, 'UNAVAILABLE');
      this.reason = `failed to load: ${sanitize(error instanceof Error ? error.message : String(error))}`;
    }
    this.loadSeconds = (performance.now() - started) / 1000;
  }

  /**
   * Queues one request with the version's scheduler; it runs on a worker, alone
   * or concatenated with others. Input buffers may be transferred to the worker.
   */
  async infer(call: InferCall): Promise<NamedTensors> {
    const batcher = this.batcher;
    if (batcher === undefined) throw new Error('infer() on a version that is not loaded');
    // Inputs are binned before the hand-off: their buffers are transferred to the worker.
    this.monitor?.inputs.observe(call.inputs);
    this.inflight += 1;
    try {
      const outputs = await batcher.submit({ inputs: call.inputs, outputNames: call.outputNames, priority: call.priority as number | undefined, timeoutUs: call.timeoutUs as number | undefined, cancel: call.cancel });
      this.monitor?.outputs.observe(outputs);
      return outputs;
    } finally {
      this.inflight -= 1;
    }
  }

  private async openMonitor(signature: ServedSignature): Promise<DriftMonitor | undefined> {
    const settings = this.source.config?.monitoring;
    if (this.source.reference === undefined || settings?.enabled === false) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(this.source.reference, 'utf8'));
    } catch {
      throw new Error('reference.json is not valid JSON');
    }
    return new DriftMonitor(parseReferenceProfile(json, 'reference.json'), signature, settings);
  }

  private async runOnPool(pool: VersionPool, inputs: NamedTensors, outputs: readonly string[]): Promise<NamedTensors> {
    const started = performance.now();
    try {
      return await pool.infer(inputs, outputs);
    } catch (error) {
      throw runtimeFailure(this.model, this.version, error);
    } finally {
      const ms = performance.now() - started;
      this.statistics.computed(batchRows(inputs), ms);
      this.observer?.computed(this, ms);
    }
  }

  /**
   * False when this version's workers keep dying (WORKER_DEATHS_UNHEALTHY exits
   * within WORKER_DEATH_WINDOW_MS): it keeps serving what it can, but readiness says no.
   */
  get healthy(): boolean {
    return this.pool === undefined || this.pool.recentWorkerDeaths(WORKER_DEATH_WINDOW_MS) < WORKER_DEATHS_UNHEALTHY;
  }

  /** READY and healthy: what readiness probes and model_ready report. */
  get ready(): boolean {
    return this.state === 'READY' && this.healthy;
  }

  /** What this version runs, for model_info and metadata. */
  info(): { platform: string; runtime: string; runtime_version: string; execution_provider: string; artifact_sha256: string } {
    return {
      platform: this.platform,
      runtime: this.pool?.runtime ?? 'none',
      runtime_version: this.pool?.runtimeVersion ?? 'none',
      execution_provider: this.executionProvider,
      artifact_sha256: this.artifactSha256,
    };
  }

  /** Requests waiting in this version's queue. */
  get queueDepth(): number {
    return this.batcher?.queueLength ?? 0;
  }

  /** For tests: the live worker threads of this version. */
  workerThreads(): readonly import('node:worker_threads').Worker[] {
    return this.pool?.workerThreads() ?? [];
  }

  /** Running requests finish first unless `force` (shutdown past its grace period). */
  async unload(force = false): Promise<void> {
    if (this.state !== 'READY') return; // a failed or already unloaded version holds nothing
    this.state = checkedMove(this.state, 'UNLOADING');
    // Queued requests still run (drain) unless forced; then the workers stop.
    await this.batcher?.close({ drain: !force });
    await this.pool?.close(force);
    this.pool = undefined;
    this.state = checkedMove(this.state, 'UNAVAILABLE');
    this.reason = 'unloaded';
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Rows of a batch: the first input's batch dim (1 for a model without one). */
function batchRows(inputs: NamedTensors): number {
  const first = Object.values(inputs)[0];
  return first !== undefined && first.shape.length > 0 ? first.shape[0]! : 1;
}
