/**
 * GPU check (run through bench/gpu-check.sh): serves bench/models/mlp_heavy twice
 * from one gateway, once with `instance_group: [{kind: cpu}]` and once with
 * `[{kind: gpu}]`, and checks that the GPU version
 *   - loads on a GPU execution provider (cuda or tensorrt) and says so in its manifest,
 *   - answers the committed example (expected.json) and seeded batches of 1, 8 and 64
 *     rows like the CPU version, within a tolerance,
 * then prints the figures: worst differences, and per batch size the median HTTP
 * latency and the mean compute time of each version, with the CPU/GPU ratios.
 *
 * `--cpu-only` (a machine without a GPU): the gpu version must fail its load with
 * a reason naming what is missing, and a `kind: auto` version stands in for it
 * (it falls back to the CPU): the comparison and the figures then run CPU vs CPU,
 * which checks this script, not a GPU.
 *
 * Exit status: 0 all checks passed, 1 a check failed, 2 the GPU version did not load.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Gateway } from '../gateway/server.ts';
import { parseServerOptions } from '../gateway/options.ts';
import { probeHost } from '../runtimes/host-facts.ts';
import { Prng } from '../models/build/prng.ts';

const cpuOnly = process.argv.includes('--cpu-only');
const ROWS = [1, 8, 64];
const REQUESTS = Number(process.env.GPU_CHECK_REQUESTS ?? 200);
const WARMUP = 20;
// TF32 matmuls (the CUDA provider's default on Ampere and newer) keep ~10 bits of mantissa.
const ATOL = 1e-3;
const RTOL = 1e-2;
const MODEL_DIR = new URL('./models/mlp_heavy/', import.meta.url).pathname;

interface Example { request: { inputs: { name: string; shape: number[]; datatype: string; data: number[] }[] }; response: { outputs: { name: string; data: number[] }[] } }

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'modelgate-gpu-check-'));
const repository = path.join(dir, 'models');
const baseConfig = readFileSync(path.join(MODEL_DIR, 'config.yaml'), 'utf8')
  .replace(/^name: .*$/m, '')
  .replace(/^instance_count: .*$/m, '');
const versions: Record<string, string> = {
  on_cpu: '[{kind: cpu, count: 1}]',
  on_gpu: cpuOnly ? '[{kind: auto, count: 1}]' : '[{kind: gpu, count: 1}]',
  ...(cpuOnly ? { strict_gpu: '[{kind: gpu, count: 1}]' } : {}),
};
for (const [name, group] of Object.entries(versions)) {
  cpSync(path.join(MODEL_DIR, '1'), path.join(repository, name, '1'), { recursive: true });
  writeFileSync(path.join(repository, name, 'config.yaml'), `${baseConfig}\ninstance_group: ${group}\n`);
}

const host = await probeHost('onnxruntime', [{ kind: 'gpu', count: 1 }]);
console.log(`host: ${host.cores} cores; GPUs visible: ${host.gpus} (${host.gpuNote}); GPU providers: ${host.providers.gpu.join(', ') || `none (${host.providers.cudaMissing})`}`);

const warnings: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => {
  const entry = JSON.parse(line) as { msg: string; warning?: string; reason?: string; model?: string };
  warnings.push(`${entry.model ?? ''}: ${entry.msg}${entry.warning ? `: ${entry.warning}` : ''}${entry.reason ? `: ${entry.reason}` : ''}`);
} });
const gateway = new Gateway(parseServerOptions({ host: '127.0.0.1', port: 0, modelRepository: repository, strictReadiness: false }), logger);
let status = 0;
try {
  await gateway.start();
  const url = `http://127.0.0.1:${gateway.port}`;
  for (const line of warnings) console.log(`log: ${line}`);

  const gpuVersion = gateway.registry.model('on_gpu').versions.get(1);
  if (gpuVersion?.state !== 'READY') {
    console.log(`the GPU version did not load: ${gpuVersion?.reason ?? gateway.registry.model('on_gpu').error}`);
    status = 2;
  } else {
    const provider = gpuVersion.executionProvider;
    console.log(`on_gpu runs on: ${provider}; instances ${JSON.stringify(gpuVersion.manifest?.instances)}`);
    if (cpuOnly) {
      const strict = gateway.registry.model('strict_gpu').versions.get(1);
      check(strict?.state === 'UNAVAILABLE' && /has no usable GPU: /.test(strict.reason ?? ''), `kind gpu fails its load with the reason: ${strict?.reason}`);
      check(provider === 'cpu' && gpuVersion.placementWarnings.length === 1, 'kind auto falls back to the CPU with one warning');
    } else {
      check(provider === 'cuda' || provider === 'tensorrt', `kind gpu runs on a GPU provider (${provider})`);
      check(gpuVersion.manifest?.instances?.[0]?.device === 'gpu', 'the manifest places the workers on the GPU');
    }
    await compare(url);
    await measure(url);
  }
} catch (error) {
  console.log(`FAIL ${error instanceof Error ? error.stack : String(error)}`);
  failures.push('unexpected error');
} finally {
  await gateway.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
if (status === 0 && failures.length > 0) status = 1;
console.log(status === 0 ? 'gpu-check: all checks passed' : `gpu-check: ${status === 2 ? 'no GPU version' : `${failures.length} check(s) failed`}`);
process.exit(status);

async function infer(url: string, model: string, rows: number, data: number[]): Promise<number[]> {
  const response = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 256], data }] }),
  });
  const body = await response.json() as { outputs?: { data: number[] }[]; error?: string };
  if (!response.ok || body.outputs === undefined) throw new Error(`${model}: HTTP ${response.status} ${body.error ?? ''}`);
  return body.outputs[0]!.data;
}

function seeded(rows: number, seed: number): number[] {
  const random = new Prng(seed);
  return Array.from({ length: rows * 256 }, () => Math.round((random.next() * 4 - 2) * 1000) / 1000);
}

function worst(actual: readonly number[], expected: readonly number[]): { abs: number; ok: boolean } {
  let abs = 0;
  let ok = actual.length === expected.length;
  expected.forEach((e, i) => {
    const d = Math.abs((actual[i] ?? Number.NaN) - e);
    abs = Math.max(abs, d);
    if (!(d <= ATOL + RTOL * Math.abs(e))) ok = false;
  });
  return { abs, ok };
}

async function compare(url: string): Promise<void> {
  const example = (JSON.parse(readFileSync(path.join(MODEL_DIR, '1', 'expected.json'), 'utf8')) as { examples: Example[] }).examples[0]!;
  const input = example.request.inputs[0]!;
  const fromGpu = await infer(url, 'on_gpu', input.shape[0]!, input.data);
  const committed = worst(fromGpu, example.response.outputs[0]!.data);
  check(committed.ok, `GPU version matches the committed expected.json (worst |diff| ${committed.abs.toExponential(2)}; atol ${ATOL}, rtol ${RTOL})`);
  for (const rows of ROWS) {
    const data = seeded(rows, 7 + rows);
    const [cpu, gpu] = await Promise.all([infer(url, 'on_cpu', rows, data), infer(url, 'on_gpu', rows, data)]);
    const result = worst(gpu, cpu);
    check(result.ok, `batch ${rows}: GPU outputs match the CPU's (worst |diff| ${result.abs.toExponential(2)})`);
  }
}

async function measure(url: string): Promise<void> {
  console.log(`\nlatency over ${REQUESTS} sequential requests per cell (after ${WARMUP} warmup):`);
  console.log('rows | cpu p50 ms | gpu p50 ms | p50 cpu/gpu | cpu compute ms | gpu compute ms | compute cpu/gpu');
  for (const rows of ROWS) {
    const data = seeded(rows, 100 + rows);
    const cells: Record<string, { p50: number; compute: number }> = {};
    for (const model of ['on_cpu', 'on_gpu']) {
      for (let i = 0; i < WARMUP; i += 1) await infer(url, model, rows, data);
      const stats = gateway.registry.model(model).versions.get(1)!.statistics.computeInfer;
      const before = { count: stats.count, ns: stats.ns };
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i += 1) {
        const started = performance.now();
        await infer(url, model, rows, data);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      cells[model] = { p50: times[Math.floor(times.length / 2)]!, compute: (stats.ns - before.ns) / 1e6 / Math.max(1, stats.count - before.count) };
    }
    const cpu = cells.on_cpu!;
    const gpu = cells.on_gpu!;
    console.log(`${String(rows).padStart(4)} | ${cpu.p50.toFixed(3).padStart(10)} | ${gpu.p50.toFixed(3).padStart(10)} | ${(cpu.p50 / gpu.p50).toFixed(2).padStart(11)} | ${cpu.compute.toFixed(3).padStart(14)} | ${gpu.compute.toFixed(3).padStart(14)} | ${(cpu.compute / gpu.compute).toFixed(2).padStart(15)}`);
  }
}
