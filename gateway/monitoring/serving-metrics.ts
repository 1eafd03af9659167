import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelVersion, VersionObserver } from '../models/model-version.ts';
import { OUTCOMES, type Outcome } from './outcome.ts';
import { registerDriftMetrics } from './drift-metrics.ts';
import { ShadowMetrics } from './shadow-metrics.ts';

/** Latency buckets (seconds): sub-millisecond tabular models up to slow batch jobs. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const STATES = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'] as const;

/**
 * The serving metrics of one gateway, on one non-global registry. Labels are
 * fixed up front and bounded: `model`, `version` (never a request id).
 * Histograms, not summaries, so latency quantiles aggregate across replicas.
 * Gauges that mirror live state (queue depth, in-flight, readiness, info) are
 * read at scrape time through `collect()`.
 */
export class ServingMetrics implements VersionObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'version' | 'outcome'>;
  private readonly requestDuration: Histogram<'model' | 'version'>;
  private readonly queueDuration: Histogram<'model' | 'version'>;
  private readonly computeDuration: Histogram<'model' | 'version'>;
  private readonly batchSize: Histogram<'model' | 'version'>;
  private readonly drift: { beginScrape(): void };
  readonly shadow: ShadowMetrics;

  constructor(versions: () => Iterable<ModelVersion>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'modelgate_inference_requests_total',
      help: 'Inference requests that reached a model version, by outcome.',
      labelNames: ['model', 'version', 'outcome'],
      registers,
    });
    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, labelNames: ['model', 'version'], buckets, registers });
    this.requestDuration = histogram('modelgate_request_duration_seconds', 'Inference request duration from arrival to response, every outcome included.', LATENCY_BUCKETS);
    this.queueDuration = histogram('modelgate_queue_duration_seconds', 'Time a request waited in the scheduler queue before its batch was dispatched.', LATENCY_BUCKETS);
    this.computeDuration = histogram('modelgate_compute_duration_seconds', 'Time one batch spent on a worker (hand-off, inference and return).', LATENCY_BUCKETS);
    this.batchSize = histogram('modelgate_batch_size_rows', 'Rows per dispatched batch (1 per request when batching is off).', BATCH_BUCKETS);
    const perVersion = (name: string, help: string, value: (v: ModelVersion) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['model', 'version'],
        registers,
        collect() {
          this.reset();
          for (const v of versions()) this.set({ model: v.model, version: String(v.version) }, value(v));
        },
      });
    perVersion('modelgate_queue_depth', 'Requests waiting in the scheduler queue.', (v) => v.queueDepth);
    perVersion('modelgate_inflight_requests', 'Requests queued or running on a worker.', (v) => v.inflight);
    perVersion('modelgate_model_ready', '1 when the version is READY and its workers are healthy, else 0.', (v) => (v.ready ? 1 : 0));
    new Gauge({
      name: 'modelgate_model_state',
      help: 'Lifecycle state of each version: 1 for the current state, 0 for the others.',
      labelNames: ['model', 'version', 'state'],
      registers,
      collect() {
        this.reset();
        for (const v of versions()) {
          for (const state of STATES) this.set({ model: v.model, version: String(v.version), state }, v.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'modelgate_model_info',
      help: 'Always 1; labels describe what each loaded version runs.',
      labelNames: ['model', 'version', 'platform', 'runtime', 'runtime_version', 'execution_provider', 'artifact_sha256'],
      registers,
      collect() {
        this.reset();
        for (const v of versions()) {
          if (v.state !== 'READY') continue;
          const info = v.info();
          this.set({ model: v.model, version: String(v.version), ...info }, 1);
        }
      },
    });
    this.drift = registerDriftMetrics(this.registry, versions);
    this.shadow = new ShadowMetrics(this.registry);
  }

  /** Pre-creates a version's series, so every outcome reads 0 before the first request. */
  created(version: ModelVersion): void {
    const labels = { model: version.model, version: String(version.version) };
    for (const outcome of OUTCOMES) this.requests.inc({ ...labels, outcome }, 0);
    this.requestDuration.zero(labels);
    this.queueDuration.zero(labels);
    this.computeDuration.zero(labels);
    this.batchSize.zero(labels);
  }

  /** One request that resolved to a version ended with `outcome` after `seconds`. Counter and histogram move together. */
  observeRequest(model: string, version: number, outcome: Outcome, seconds: number): void {
    const labels = { model, version: String(version) };
    this.requests.inc({ ...labels, outcome });
    this.requestDuration.observe(labels, seconds);
  }

  dispatched(version: ModelVersion, rows: number, queueWaitsMs: readonly number[]): void {
    const labels = { model: version.model, version: String(version.version) };
    this.batchSize.observe(labels, rows);
    for (const wait of queueWaitsMs) this.queueDuration.observe(labels, wait / 1000);
  }

  computed(version: ModelVersion, computeMs: number): void {
    this.computeDuration.observe({ model: version.model, version: String(version.version) }, computeMs / 1000);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    this.drift.beginScrape();
    return this.registry.metrics();
  }
}
