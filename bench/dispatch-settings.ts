/**
 * Which piscina settings make the per-batch hand-off cheapest, measured on the gateway's
 * own worker without HTTP: runtimes/worker-entry.js (one ORT session per thread) in a
 * piscina pool built here with each variant's options, called the way
 * runtimes/pool.ts's ModelPool calls it. runtimes/pool.ts and gateway/models/model-version.ts
 * are not touched: the variants exist only in this script (and, over HTTP, in the patched
 * temporary copies of bench/gateway-variants.ts).
 *
 *   node --import tsx bench/dispatch-settings.ts [--seconds 1] [--json]
 *
 * Variants (2 worker threads each, as instance_count 2):
 *   - the gateway today: atomics 'sync', concurrentTasksPerWorker 1, 2 batches in flight
 *     (maxInflightBatches = workers);
 *   - 3 in flight (maxInflightBatches = workers + 1: one batch waits in piscina's queue);
 *   - atomics 'async' (the worker waits with Atomics.waitAsync and keeps its event loop);
 *   - atomics 'disabled' (plain MessagePort messages);
 *   - concurrentTasksPerWorker 2 with 4 in flight (each worker holds its next batch).
 * Workloads:
 *   - iris v2, one 1-row task at a time: the latency of one hand-off and back;
 *   - iris v2, 1-row tasks, the variant's in-flight count kept outstanding (what the
 *     batcher does under load): tasks/s, i.e. the hand-off rate with the workers busy;
 *   - mlp_heavy, 16-row tasks (the batch size the gateway forms at c=32 over HTTP), the
 *     in-flight count kept outstanding: rows/s, to compare with bench/ort-ceiling.ts at
 *     batch 16 (the same work with no hand-off at all).
 * Every (variant, workload) runs about `--seconds` in round-robin slices with the others.
 * (The gateway's DynamicBatcher is left out on purpose: with 32 in-process callers that all
 * resubmit in the same event-loop turn, every batch is the whole queue and only one is ever in
 * flight, so the in-flight settings would not be exercised; over HTTP arrivals spread out.)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { NamedTensors } from '../runtimes/tensor.ts';
import type { WorkerInit, WorkerRequest, WorkerResponse } from '../runtimes/worker-protocol.ts';
import { transferList } from '../runtimes/transfer.ts';
import { Samples, percentile } from './stats.ts';
import { MLP_FEATURES, seededFloat32 } from './request-bodies.ts';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const SECONDS = Number(flags.seconds);
const ROUNDS = 4;
const WORKERS = 2;
const MLP_BATCH = 16;
const WORKER_ENTRY = new URL('../runtimes/worker-entry.js', import.meta.url).href;
const IRIS_V2 = fileURLToPath(new URL('../models/iris/2/model.onnx', import.meta.url));
const MLP_HEAVY = fileURLToPath(new URL('./models/mlp_heavy/1/model.onnx', import.meta.url));
const IRIS_ROW = [5.1, 3.5, 1.4, 0.2];
const MLP_ROW = seededFloat32(MLP_FEATURES, 7, -1, 1);

interface Variant {
  name: string;
  atomics: 'sync' | 'async' | 'disabled';
  concurrentTasksPerWorker: number;
  maxInflightBatches: number;
}

const VARIANTS: Variant[] = [
  { name: 'gateway today: atomics sync, 1 task/worker, 2 in flight (= workers)', atomics: 'sync', concurrentTasksPerWorker: 1, maxInflightBatches: WORKERS },
  { name: '3 in flight (= workers + 1)', atomics: 'sync', concurrentTasksPerWorker: 1, maxInflightBatches: WORKERS + 1 },
  { name: "atomics 'async'", atomics: 'async', concurrentTasksPerWorker: 1, maxInflightBatches: WORKERS },
  { name: "atomics 'disabled'", atomics: 'disabled', concurrentTasksPerWorker: 1, maxInflightBatches: WORKERS },
  { name: '2 tasks/worker, 4 in flight', atomics: 'sync', concurrentTasksPerWorker: 2, maxInflightBatches: 2 * WORKERS },
];

/** A pool like runtimes/pool.ts's ModelPool, with the variant's piscina options. */
async function startPool(variant: Variant, modelPath: string): Promise<Piscina<WorkerRequest, WorkerResponse>> {
  const init: WorkerInit = { runtime: 'onnxruntime', load: { modelPath, device: 'cpu', intraOpThreads: Math.max(1, Math.floor(os.availableParallelism() / WORKERS)) } };
  const pool = new Piscina<WorkerRequest, WorkerResponse>({
    filename: WORKER_ENTRY,
    workerData: init,
    minThreads: WORKERS,
    maxThreads: WORKERS,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: variant.concurrentTasksPerWorker,
    atomics: variant.atomics,
  });
  await Promise.all(Array.from({ length: WORKERS }, () => pool.run({ kind: 'ping' })));
  return pool;
}

/** One inference task, as ModelPool.infer sends it: input buffers transferred. */
async function infer(pool: Piscina<WorkerRequest, WorkerResponse>, inputs: NamedTensors, outputs: readonly string[]): Promise<NamedTensors> {
  const response = await pool.run({ kind: 'infer', inputs, outputs }, { transferList: transferList(inputs) });
  if (response.kind !== 'infer') throw new Error('unexpected worker response');
  return response.outputs;
}

interface Workload {
  name: string;
  mode: 'sequential' | 'inFlight';
  /** inFlight: tasks kept outstanding. */
  lanes?: number;
  /** Rows per task. */
  rows: number;
  task: () => Promise<unknown>;
}

class Tally {
  readonly times = new Samples();
  done = 0;
  ms = 0;
  cpuUs = 0;
}

async function slice(w: Workload, tally: Tally, ms: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const deadline = started + ms;
  if (w.mode === 'sequential') {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await w.task();
      tally.times.push((performance.now() - t0) * 1000);
      tally.done++;
    }
  } else {
    const lane = async (): Promise<void> => {
      while (performance.now() < deadline) {
        await w.task();
        tally.done++;
      }
    };
    await Promise.all(Array.from({ length: w.lanes ?? 1 }, lane));
  }
  tally.ms += performance.now() - started;
  const used = process.cpuUsage(cpu);
  tally.cpuUs += used.user + used.system;
}

const started = performance.now();
const setups = await Promise.all(VARIANTS.map(async (variant) => {
  const [iris, mlp] = await Promise.all([startPool(variant, IRIS_V2), startPool(variant, MLP_HEAVY)]);
  const tallies = { c1: new Tally(), iris: new Tally(), mlp: new Tally() };
  const irisTask = (): Promise<NamedTensors> => infer(iris, { input: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(IRIS_ROW) } }, ['probabilities', 'label']);
  const mlpTask = (): Promise<NamedTensors> => {
    const data = new Float32Array(MLP_BATCH * MLP_FEATURES);
    for (let r = 0; r < MLP_BATCH; r++) data.set(MLP_ROW, r * MLP_FEATURES);
    return infer(mlp, { input: { datatype: 'FP32', shape: [MLP_BATCH, MLP_FEATURES], data } }, ['output']);
  };
  const workloads: [Workload, Tally][] = [
    [{ name: 'iris c=1', mode: 'sequential', rows: 1, task: irisTask }, tallies.c1],
    [{ name: 'iris in flight', mode: 'inFlight', lanes: variant.maxInflightBatches, rows: 1, task: irisTask }, tallies.iris],
    [{ name: 'mlp_heavy in flight', mode: 'inFlight', lanes: variant.maxInflightBatches, rows: MLP_BATCH, task: mlpTask }, tallies.mlp],
  ];
  return { variant, workloads, tallies, close: () => Promise.all([iris.destroy(), mlp.destroy()]) };
}));
const startupSeconds = (performance.now() - started) / 1000;

// Warm-up (JIT, ORT arenas), then round-robin slices over every (variant, workload).
for (const s of setups) for (const [w] of s.workloads) await slice(w, new Tally(), 150);
const sliceMs = (SECONDS * 1000) / ROUNDS;
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? setups : [...setups].reverse();
  for (const s of order) for (const [w, t] of s.workloads) await slice(w, t, sliceMs);
}
await Promise.all(setups.map((s) => s.close()));

interface Row {
  variant: string;
  irisC1P50Us: number;
  irisC1P99Us: number;
  irisPerSecond: number;
  irisCpuUs: number;
  mlpRowsPerSecond: number;
  mlpCpuUsPerRow: number;
}

const rows: Row[] = setups.map(({ variant, tallies: { c1, iris, mlp } }) => {
  const times = c1.times.sorted();
  return {
    variant: variant.name,
    irisC1P50Us: percentile(times, 50),
    irisC1P99Us: percentile(times, 99),
    irisPerSecond: iris.done / (iris.ms / 1000),
    irisCpuUs: iris.cpuUs / iris.done,
    mlpRowsPerSecond: (mlp.done * MLP_BATCH) / (mlp.ms / 1000),
    mlpCpuUsPerRow: mlp.cpuUs / (mlp.done * MLP_BATCH),
  };
});

const f = (x: number, d = 1): string => (Number.isNaN(x) ? '–' : x.toFixed(d));
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const r = (x: number, ref: number): string => `${(x / ref).toFixed(2)}×`;
const base = rows[0]!;
const markdown = [
  `Each cell: ${SECONDS} s in ${ROUNDS} round-robin slices; ratios to the first row (the gateway's settings today). Process CPU is every thread of this process (main + workers). Startup of the ${VARIANTS.length * 2 * WORKERS} workers: ${startupSeconds.toFixed(1)} s.`,
  '',
  `| piscina setting, tasks in flight | iris 1 row, c=1: p50 µs | p99 µs | p50 ratio | iris 1-row tasks/s, in flight | ratio | CPU µs/task | mlp_heavy ${MLP_BATCH}-row tasks: rows/s, in flight | ratio | CPU µs/row |`,
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((row) => `| ${row.variant} | ${f(row.irisC1P50Us)} | ${f(row.irisC1P99Us)} | ${r(row.irisC1P50Us, base.irisC1P50Us)} | ${n(row.irisPerSecond)} | ${r(row.irisPerSecond, base.irisPerSecond)} | ${f(row.irisCpuUs)} | ${n(row.mlpRowsPerSecond)} | ${r(row.mlpRowsPerSecond, base.mlpRowsPerSecond)} | ${f(row.mlpCpuUsPerRow)} |`),
].join('\n');
process.stdout.write(flags.json ? `${JSON.stringify({ markdown, rows, startupSeconds })}\n` : `${markdown}\n`);
