/**
 * What one worker task costs, without HTTP: the number the dynamic batcher is
 * there to amortise.
 *
 *   node --import tsx bench/dispatch-overhead.ts [--seconds 1] [--json]
 *
 * Sequential rows await each task before sending the next (a round trip);
 * "in flight" rows keep 64 tasks queued and count completions per second;
 * the DynamicBatcher rows submit 1-row requests from 32 concurrent callers
 * through the gateway's own scheduler, without and with batching.
 * Every row runs for about `--seconds` in total after a short warm-up, in
 * round-robin slices with the other rows so that noise hits them alike.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import * as ort from 'onnxruntime-node';
import { ModelPool } from '../runtimes/pool.ts';
import { DynamicBatcher } from '../gateway/scheduler/batcher.ts';
import type { BatchPolicy } from '../gateway/scheduler/batch-policy.ts';
import { Samples, percentile, mean } from './stats.ts';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const SECONDS = Number(flags.seconds);
const WARMUP = 300;
const ROUNDS = 4;
const IN_FLIGHT = 64;
/** Concurrent callers of the batcher rows: the concurrency of the harness's throughput scenarios. */
const CALLERS = 32;
const IRIS_V1 = fileURLToPath(new URL('../models/iris/1/model.onnx', import.meta.url));
const IRIS_V2 = fileURLToPath(new URL('../models/iris/2/model.onnx', import.meta.url));
const ROW = [5.1, 3.5, 1.4, 0.2];

interface Row {
  measurement: string;
  /** Sequential rows: per-task round trip, microseconds. */
  p50Us?: number;
  p99Us?: number;
  meanUs?: number;
  /** Tasks (or runs) completed per second. */
  perSecond: number;
  /** CPU time of the whole process (every thread, user + system) per task, microseconds. */
  cpuUs?: number;
}

interface Measurement {
  measurement: string;
  /** sequential: await each task before the next; inFlight: keep IN_FLIGHT outstanding. */
  mode: 'sequential' | 'inFlight';
  task: () => Promise<unknown>;
  /** inFlight: concurrent callers (default IN_FLIGHT). */
  lanes?: number;
}

/** Accumulates one measurement over its slices. */
class Tally {
  readonly times = new Samples();
  done = 0;
  ms = 0;
  cpuUs = 0;

  row(m: Measurement): Row {
    const perSecond = this.done / (this.ms / 1000);
    const cpuUs = this.cpuUs / this.done;
    if (m.mode === 'inFlight') return { measurement: m.measurement, perSecond, cpuUs };
    const sortedTimes = this.times.sorted();
    return { measurement: m.measurement, p50Us: percentile(sortedTimes, 50), p99Us: percentile(sortedTimes, 99), meanUs: mean(sortedTimes), perSecond, cpuUs };
  }
}

/** Runs `m` for `ms` milliseconds into `tally`. */
async function slice(m: Measurement, tally: Tally, ms: number): Promise<void> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const deadline = started + ms;
  if (m.mode === 'sequential') {
    let now = started;
    while (now < deadline) {
      const t0 = now;
      await m.task();
      now = performance.now();
      tally.times.push((now - t0) * 1000);
      tally.done++;
    }
  } else {
    const lane = async (): Promise<void> => {
      while (performance.now() < deadline) {
        await m.task();
        tally.done++;
      }
    };
    await Promise.all(Array.from({ length: m.lanes ?? IN_FLIGHT }, lane));
  }
  tally.ms += performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  tally.cpuUs += cpu.user + cpu.system;
}

/** The floor: a bare MessagePort echo to a worker thread, no pool. */
function rawEchoWorker(): { task: () => Promise<unknown>; close: () => Promise<unknown> } {
  const worker = new Worker(
    "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));",
    { eval: true },
  );
  let pending: ((value: unknown) => void) | undefined;
  worker.on('message', (m) => pending?.(m));
  return {
    task: () => new Promise((resolve) => {
      pending = resolve;
      worker.postMessage(0);
    }),
    close: () => worker.terminate(),
  };
}

const raw = rawEchoWorker();
const piscina = new Piscina({
  filename: new URL('./dispatch-worker.js', import.meta.url).href,
  minThreads: 1,
  maxThreads: 1,
  idleTimeout: Number.POSITIVE_INFINITY,
  concurrentTasksPerWorker: 1,
});
const piscinaIris = new Piscina({
  filename: new URL('./dispatch-worker.js', import.meta.url).href,
  workerData: { modelPath: IRIS_V1 },
  minThreads: 1,
  maxThreads: 1,
  idleTimeout: Number.POSITIVE_INFINITY,
  concurrentTasksPerWorker: 1,
});
/** `session.run` time measured inside the plain-JS worker, µs. */
const inWorkerRun = new Samples();
// The gateway worker's session options (runtimes/onnx.ts), on the main thread.
const session = await ort.InferenceSession.create(IRIS_V1, {
  intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
});
const poolV1 = await ModelPool.start({ init: { runtime: 'onnxruntime', load: { modelPath: IRIS_V1, device: 'cpu', intraOpThreads: 1 } }, instances: 1 });
// The gateway's iris setup: instance_count 2, one intra-op thread each.
const poolV2 = await ModelPool.start({ init: { runtime: 'onnxruntime', load: { modelPath: IRIS_V2, device: 'cpu', intraOpThreads: 1 } }, instances: 2 });
const poolTask = (pool: ModelPool) => () => pool.infer({ input: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(ROW) } });

/** The gateway's scheduler on the 2-thread pool, one batch in flight per thread (as gateway/models/model-version.ts sets it up). */
function batcherOn(pool: ModelPool, maxBatchSize: number): DynamicBatcher {
  const policy: BatchPolicy = {
    maxBatchSize, preferredBatchSizes: [], maxQueueDelayUs: 0, maxQueueSize: 0, defaultTimeoutUs: 0, priorityLevels: 0, defaultPriority: 1,
  };
  return new DynamicBatcher(policy, (inputs, outputs) => pool.infer(inputs, outputs), undefined, { maxInflightBatches: 2 });
}
const unbatched = batcherOn(poolV2, 0);
const batched = batcherOn(poolV2, 64);
const submitTo = (batcher: DynamicBatcher) => () =>
  batcher.submit({ inputs: { input: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(ROW) } }, outputNames: ['probabilities', 'label'] });

const MEASUREMENTS: Measurement[] = [
  { measurement: 'raw worker_threads postMessage echo (no pool)', mode: 'sequential', task: raw.task },
  { measurement: 'piscina empty task round trip', mode: 'sequential', task: () => piscina.run(0) },
  {
    measurement: 'piscina task, 16 B Float32Array transferred in, 12 B moved back',
    mode: 'sequential',
    task: () => {
      const data = Float32Array.from(ROW);
      return piscina.run({ data }, { transferList: [data.buffer as ArrayBuffer] });
    },
  },
  { measurement: `piscina empty tasks, ${IN_FLIGHT} in flight`, mode: 'inFlight', task: () => piscina.run(0) },
  {
    measurement: 'iris v1, 1 row: session.run inline on the main thread',
    mode: 'sequential',
    task: () => session.run({ input: new ort.Tensor('float32', Float32Array.from(ROW), [1, 4]) }),
  },
  {
    measurement: 'iris v1, 1 row: piscina + plain-JS worker running the session',
    mode: 'sequential',
    task: async () => {
      const data = Float32Array.from(ROW);
      const { runUs } = (await piscinaIris.run({ kind: 'iris', data }, { transferList: [data.buffer as ArrayBuffer] })) as { runUs: number };
      inWorkerRun.push(runUs);
    },
  },
  { measurement: 'iris v1, 1 row: ModelPool.infer (runtimes/pool.ts, 1 thread)', mode: 'sequential', task: poolTask(poolV1) },
  { measurement: `iris v1, 1 row: ModelPool.infer, 1 thread, ${IN_FLIGHT} in flight`, mode: 'inFlight', task: poolTask(poolV1) },
  { measurement: `iris v2, 1 row: ModelPool.infer, 2 threads, ${IN_FLIGHT} in flight`, mode: 'inFlight', task: poolTask(poolV2) },
  { measurement: `iris v2, 1 row: DynamicBatcher without batching (maxBatchSize 0), 2 threads, ${CALLERS} callers`, mode: 'inFlight', task: submitTo(unbatched), lanes: CALLERS },
  { measurement: `iris v2, 1 row: DynamicBatcher with batching (maxBatchSize 64, delay 0), 2 threads, ${CALLERS} callers`, mode: 'inFlight', task: submitTo(batched), lanes: CALLERS },
];

// Warm-up, then ROUNDS round-robin slices so drift on a shared machine spreads over every row.
for (const m of MEASUREMENTS) for (let i = 0; i < WARMUP; i++) await m.task();
const tallies = MEASUREMENTS.map(() => new Tally());
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, m] of MEASUREMENTS.entries()) await slice(m, tallies[i]!, (SECONDS * 1000) / ROUNDS);
}
const rows = MEASUREMENTS.map((m, i) => tallies[i]!.row(m));
const runTimes = inWorkerRun.sorted();
rows.splice(MEASUREMENTS.findIndex((m) => m.measurement.includes('plain-JS worker')) + 1, 0, {
  measurement: '  … of which session.run inside that worker',
  p50Us: percentile(runTimes, 50),
  p99Us: percentile(runTimes, 99),
  meanUs: mean(runTimes),
  perSecond: Number.NaN,
});
await Promise.all([unbatched.close(), batched.close()]);
await Promise.all([raw.close(), piscina.destroy(), piscinaIris.destroy(), session.release(), poolV1.close(), poolV2.close()]);

const fmt = (x: number | undefined, digits = 1): string => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits));

export function toMarkdown(rows: readonly Row[]): string {
  const lines = [
    '| measurement | p50 µs | p99 µs | mean µs | per second | process CPU µs per task |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.measurement} | ${fmt(r.p50Us)} | ${fmt(r.p99Us)} | ${fmt(r.meanUs)} | ${Number.isNaN(r.perSecond) ? '' : Math.round(r.perSecond).toLocaleString('en-US')} | ${fmt(r.cpuUs)} |`),
  ];
  return lines.join('\n');
}

const markdown = toMarkdown(rows);
process.stdout.write(flags.json ? `${JSON.stringify({ markdown, rows })}\n` : `${markdown}\n`);
