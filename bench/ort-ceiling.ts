/**
 * The in-process onnxruntime ceiling: the most rows per second this machine computes
 * for a model with no HTTP, no JSON and no scheduler, at the best batch size and thread
 * layout. The gateway's rows/s is compared with it ("gateway ≥ 0.8× the ceiling").
 *
 * Two layouts, each at every batch size of `--batches`:
 *  - `1 session × N threads`: one session on the main thread with intraOpNumThreads = N
 *    (the cores), runs back to back;
 *  - `N workers × 1 thread`: N worker threads, each with its own one-thread session, each
 *    running back to back at the same time (the gateway's layout with instance_count N,
 *    minus every hand-off).
 * The ceiling is the best (layout, batch) by pooled rows/s.
 *
 *   node --import tsx bench/ort-ceiling.ts [--model bench/models/mlp_heavy/1/model.onnx]
 *     [--input input] [--row-shape 256] [--batches 1,8,16,32,64] [--threads <cores>]
 *     [--seconds 2] [--json]
 *   … --serve   (for bench/run.ts: prints {"ready":true}, then answers each stdin line
 *                {"ms":N} with one JSON line: every configuration run for N ms)
 */
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { seededFloat32 } from './request-bodies.ts';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/models/mlp_heavy/1/model.onnx' },
    input: { type: 'string', default: 'input' },
    'row-shape': { type: 'string', default: '256' },
    batches: { type: 'string', default: '1,8,16,32,64' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    seconds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
  },
});

const MODEL = path.resolve(flags.model);
const ROW_SHAPE = flags['row-shape'].split(',').map(Number);
const BATCHES = flags.batches.split(',').map(Number);
const THREADS = Number(flags.threads);
const ROW_VALUES = seededFloat32(ROW_SHAPE.reduce((a, b) => a * b, 1), 7, -1, 1);

export interface ConfigResult {
  layout: string;
  batch: number;
  runs: number;
  rows: number;
  seconds: number;
  /** CPU time of the whole process (every thread) during the slices. */
  cpuSeconds: number;
}

interface Config {
  layout: string;
  batch: number;
  /** Runs for about `ms`; resolves runs, rows and wall seconds. */
  measure(ms: number): Promise<{ runs: number; rows: number; seconds: number }>;
}

// ---- layout 1: one session, every core, on this thread -------------------------------------
const mainSession = await ort.InferenceSession.create(MODEL, {
  intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
});
const mainFeeds = (batch: number): Record<string, ort.Tensor> => {
  const data = new Float32Array(batch * ROW_VALUES.length);
  for (let r = 0; r < batch; r++) data.set(ROW_VALUES, r * ROW_VALUES.length);
  return { [flags.input]: new ort.Tensor('float32', data, [batch, ...ROW_SHAPE]) };
};

// ---- layout 2: THREADS workers, one single-threaded session each ---------------------------
const workers = await Promise.all(Array.from({ length: THREADS }, () => new Promise<Worker>((resolve, reject) => {
  const worker = new Worker(new URL('./ort-ceiling-worker.js', import.meta.url), {
    workerData: { modelPath: MODEL, input: flags.input, rowShape: ROW_SHAPE, rowValues: ROW_VALUES },
  });
  worker.once('message', () => resolve(worker));
  worker.once('error', reject);
})));
const askWorker = (worker: Worker, batch: number, ms: number): Promise<{ runs: number; rows: number; seconds: number }> =>
  new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage({ batch, ms });
  });

const CONFIGS: Config[] = BATCHES.flatMap((batch): Config[] => {
  const feeds = mainFeeds(batch);
  return [
    {
      layout: `1 session × ${THREADS} threads`,
      batch,
      async measure(ms) {
        const started = performance.now();
        let runs = 0;
        do {
          await mainSession.run(feeds);
          runs++;
        } while (performance.now() < started + ms);
        return { runs, rows: runs * batch, seconds: (performance.now() - started) / 1000 };
      },
    },
    {
      layout: `${THREADS} workers × 1 thread`,
      batch,
      async measure(ms) {
        const started = performance.now();
        const parts = await Promise.all(workers.map((w) => askWorker(w, batch, ms)));
        // Wall time from the first post to the last answer: the hops are inside it.
        const seconds = (performance.now() - started) / 1000;
        return { runs: parts.reduce((n, p) => n + p.runs, 0), rows: parts.reduce((n, p) => n + p.rows, 0), seconds };
      },
    },
  ];
});

const tallies: ConfigResult[] = CONFIGS.map((c) => ({ layout: c.layout, batch: c.batch, runs: 0, rows: 0, seconds: 0, cpuSeconds: 0 }));
let warm = false;

/** Every configuration for `ms` each (warmed up on the first call); returns this call's numbers. */
async function sweep(ms: number): Promise<ConfigResult[]> {
  if (!warm) {
    for (const c of CONFIGS) await c.measure(Math.min(100, ms));
    warm = true;
  }
  const out: ConfigResult[] = [];
  for (const [i, c] of CONFIGS.entries()) {
    const cpu = process.cpuUsage();
    const r = await c.measure(ms);
    const used = process.cpuUsage(cpu);
    const result = { layout: c.layout, batch: c.batch, ...r, cpuSeconds: (used.user + used.system) / 1e6 };
    out.push(result);
    const t = tallies[i]!;
    t.runs += r.runs;
    t.rows += r.rows;
    t.seconds += r.seconds;
    t.cpuSeconds += result.cpuSeconds;
  }
  return out;
}

/** The best configuration of `results` by rows/s. */
export function best(results: readonly ConfigResult[]): ConfigResult | undefined {
  return results.reduce<ConfigResult | undefined>((b, r) => (b === undefined || r.rows / r.seconds > b.rows / b.seconds ? r : b), undefined);
}

export function ceilingMarkdown(results: readonly ConfigResult[]): string {
  const top = best(results);
  return [
    '| layout | batch | rows/s | ms per run | CPU µs per row |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const mark = r === top ? '**' : '';
      return `| ${r.layout} | ${r.batch} | ${mark}${Math.round(r.rows / r.seconds).toLocaleString('en-US')}${mark} | ${((r.seconds * 1000) / r.runs * (r.layout.includes('workers') ? THREADS : 1)).toFixed(3)} | ${((r.cpuSeconds * 1e6) / r.rows).toFixed(1)} |`;
    }),
  ].join('\n');
}

async function close(): Promise<void> {
  await Promise.all(workers.map((w) => w.terminate()));
  await mainSession.release();
}

if (flags.serve) {
  process.stdout.write(`${JSON.stringify({ ready: true, configs: CONFIGS.length })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const { ms } = JSON.parse(line) as { ms: number };
    process.stdout.write(`${JSON.stringify({ results: await sweep(ms) })}\n`);
  }
  await close();
} else {
  const ROUNDS = 4;
  const sliceMs = (Number(flags.seconds) * 1000) / ROUNDS / CONFIGS.length;
  for (let round = 0; round < ROUNDS; round++) await sweep(sliceMs);
  const markdown = ceilingMarkdown(tallies);
  process.stdout.write(flags.json ? `${JSON.stringify({ markdown, results: tallies })}\n` : `${markdown}\n`);
  await close();
}
