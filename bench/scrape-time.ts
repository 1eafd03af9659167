/**
 * How long one Prometheus scrape of a drift-monitored gateway takes, and how many
 * series it returns.
 *
 *   node --import tsx bench/scrape-time.ts [--models 5] [--features 20] [--scrapes 200] [--json]
 *
 * Builds a temp repository of `--models` identity models (test/fixtures/models/identity_fp32,
 * declared as an FP32 [batch, F] input) with a reference.json of F numeric features
 * (profiled from seeded normal data with the profile builder: 10 quantile bins each),
 * starts a gateway in-process on a loopback port, sends traffic so every counter and
 * every drift score has a value, then times `GET /metrics` end to end (request sent to
 * body read, as Prometheus sees it) and the in-process rendering alone. Target: a
 * scrape under 50 ms.
 *
 * It also counts the series of each model version and checks the drift part against
 * the formula below (F input features of k bins, O profiled outputs of k_o bins):
 *   bin counters F·k + reference shares F·k + data quality 3·F + drift status F
 *   + drift scores M·F (M = 5 for numeric features once the window has rows:
 *     psi, js, wasserstein, ks, chi2) + window samples 1 + drifted ratio 1
 *   + outputs: O·k_o + O·k_o + O (output status)
 *   = F·(2k + 4 + M) + 2 + O·(2·k_o + 1)
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Gateway } from '../gateway/server.ts';
import { parseServerOptions } from '../gateway/options.ts';
import { createLogger } from '../gateway/logger.ts';
import { buildProfile } from '../gateway/monitoring/drift/profile-builder.ts';
import { Prng } from '../models/build/prng.ts';
import { percentile, sorted } from './stats.ts';

const { values: flags } = parseArgs({
  options: {
    models: { type: 'string', default: '5' },
    features: { type: 'string', default: '20' },
    scrapes: { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
});
const MODELS = Number(flags.models);
const FEATURES = Number(flags.features);
const SCRAPES = Number(flags.scrapes);
const REFERENCE_ROWS = 2000;
const BINS = 10;
/** Drift score methods exported per numeric feature (psi, js, wasserstein, ks, chi2). */
const SCORE_METHODS = 5;
const TRAFFIC_REQUESTS = 20;
const ROWS_PER_REQUEST = 32;
const WARMUP = 20;
const BREAKDOWN_REPEATS = 30;
const TARGET_MS = 50;
const IDENTITY = fileURLToPath(new URL('../test/fixtures/models/identity_fp32/1/model.onnx', import.meta.url));

/** The drift-monitoring families and the serving families (everything else labelled by model). */
const DRIFT_FAMILIES = new Set([
  'modelgate_input_feature_bin_total', 'modelgate_input_reference_share', 'modelgate_output_bin_total', 'modelgate_output_reference_share',
  'modelgate_data_quality_events_total', 'modelgate_drift_window_samples', 'modelgate_drift_score', 'modelgate_drift_status',
  'modelgate_output_drift_status', 'modelgate_drifted_features_ratio',
]);

function buildRepository(): { dir: string; bins: number[][] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-scrape-'));
  const bins: number[][] = [];
  for (let m = 0; m < MODELS; m++) {
    const name = `scrape_${m}`;
    mkdirSync(path.join(dir, name, '1'), { recursive: true });
    copyFileSync(IDENTITY, path.join(dir, name, '1', 'model.onnx'));
    writeFileSync(path.join(dir, name, 'config.yaml'), [
      `name: ${name}`,
      'platform: onnxruntime_onnx',
      'max_batch_size: 64',
      'input: [{name: INPUT0, datatype: FP32, dims: [' + FEATURES + ']}]',
      'output: [{name: OUTPUT0, datatype: FP32, dims: [' + FEATURES + ']}]',
      'instance_count: 1',
      'dynamic_batching: {max_queue_delay_microseconds: 0}',
      // A window the bench traffic fills, so every feature gets all its scores.
      'monitoring: {window: {kind: count, size: 100}, min_samples: 100}',
      '',
    ].join('\n'));
    const prng = new Prng(1000 + m);
    const columns = Array.from({ length: FEATURES }, (_, f) => ({
      name: `f${String(f).padStart(2, '0')}`,
      kind: 'numeric' as const,
      values: Array.from({ length: REFERENCE_ROWS }, () => f + prng.normal()),
      source: { tensor: 'INPUT0', column: f },
    }));
    const profile = buildProfile(columns, { bins: BINS });
    writeFileSync(path.join(dir, name, '1', 'reference.json'), JSON.stringify(profile));
    bins.push(profile.features.map((feature) => feature.shares.length));
  }
  return { dir, bins };
}

async function sendTraffic(url: string): Promise<void> {
  const prng = new Prng(7);
  for (let m = 0; m < MODELS; m++) {
    for (let r = 0; r < TRAFFIC_REQUESTS; r++) {
      // Shifted by half a standard deviation, so scores are non-trivial.
      const data = Array.from({ length: ROWS_PER_REQUEST }, () => Array.from({ length: FEATURES }, (_, f) => f + 0.5 + prng.normal()));
      const response = await fetch(`${url}/v2/models/scrape_${m}/versions/1/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [ROWS_PER_REQUEST, FEATURES], datatype: 'FP32', data }] }),
      });
      if (response.status !== 200) throw new Error(`infer scrape_${m}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  }
}

/** Series per model and metric family, from the exposition text. */
function countSeries(text: string): Map<string, Map<string, number>> {
  const byModel = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(?:[^}]*,)?model="([^"]*)"/.exec(line);
    if (match === null) continue;
    const [, name, model] = match as unknown as [string, string, string];
    const families = byModel.get(model) ?? new Map<string, number>();
    families.set(name, (families.get(name) ?? 0) + 1);
    byModel.set(model, families);
  }
  return byModel;
}

const ms = (ns: bigint) => Number(ns) / 1e6;

const { dir, bins } = buildRepository();
const gateway = new Gateway(
  parseServerOptions({ host: '127.0.0.1', port: 0, modelRepository: dir, logLevel: 'silent', gracePeriodSeconds: 5 }),
  createLogger('silent'),
);
try {
  await gateway.start();
  const url = `http://127.0.0.1:${gateway.port}`;
  await sendTraffic(url);

  const scrape = async (): Promise<{ ms: number; bytes: number; text: string }> => {
    const start = process.hrtime.bigint();
    const response = await fetch(`${url}/metrics`);
    const text = await response.text();
    return { ms: ms(process.hrtime.bigint() - start), bytes: Buffer.byteLength(text), text };
  };
  for (let i = 0; i < WARMUP; i++) await scrape();
  const http: number[] = [];
  let last = await scrape();
  for (let i = 0; i < SCRAPES; i++) {
    last = await scrape();
    http.push(last.ms);
  }
  const render: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const start = process.hrtime.bigint();
    await gateway.metrics.text();
    render.push(ms(process.hrtime.bigint() - start));
  }

  // Where the render time goes: each family alone (drift verdicts are cached per
  // scrape, so their cost is timed apart, straight from each version's monitor).
  const familyMs = new Map<string, number>();
  for (const metric of gateway.metrics.registry.getMetricsAsArray()) {
    const name = (metric as { name: string }).name;
    const times: number[] = [];
    for (let i = 0; i < BREAKDOWN_REPEATS; i++) {
      const start = process.hrtime.bigint();
      await gateway.metrics.registry.getSingleMetricAsString(name);
      times.push(ms(process.hrtime.bigint() - start));
    }
    familyMs.set(name, percentile(sorted(times), 50));
  }
  const verdictTimes: number[] = [];
  for (let i = 0; i < BREAKDOWN_REPEATS; i++) {
    const start = process.hrtime.bigint();
    for (const v of gateway.registry.versions()) {
      v.monitor?.inputs.verdict();
      v.monitor?.outputs.verdict();
    }
    verdictTimes.push(ms(process.hrtime.bigint() - start));
  }
  const verdictMs = percentile(sorted(verdictTimes), 50);
  const slowest = [...familyMs].sort((a, b) => b[1] - a[1]).slice(0, 6);

  const series = countSeries(last.text);
  const totalSeries = last.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  const httpSorted = sorted(http);
  const renderSorted = sorted(render);
  const perModel = [...series].map(([model, families]) => {
    let drift = 0;
    let serving = 0;
    for (const [name, n] of families) {
      if (DRIFT_FAMILIES.has(name)) drift += n;
      else serving += n;
    }
    const m = Number(model.replace('scrape_', ''));
    const k = bins[m]!;
    const sumK = k.reduce((a, b) => a + b, 0);
    // F·(2k + 4 + M) + 2 with O = 0, written with Σk for features of unequal bin counts.
    const formula = 2 * sumK + (4 + SCORE_METHODS) * FEATURES + 2;
    return { model, drift, serving, total: drift + serving, formula, bins: [...new Set(k)], families: Object.fromEntries(families) };
  });
  const result = {
    models: MODELS,
    features: FEATURES,
    scrapes: SCRAPES,
    bytes: last.bytes,
    totalSeries,
    httpMs: { median: percentile(httpSorted, 50), p99: percentile(httpSorted, 99), max: httpSorted[httpSorted.length - 1] },
    renderMs: { median: percentile(renderSorted, 50), p99: percentile(renderSorted, 99) },
    breakdownMs: { verdictsAllVersions: verdictMs, slowestFamilies: Object.fromEntries(slowest) },
    perModel,
  };
  const mismatched = perModel.filter((p) => p.drift !== p.formula);

  if (flags.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (x: number | undefined) => (x ?? Number.NaN).toFixed(2);
    console.log(`${MODELS} models × ${FEATURES} numeric features, ${SCRAPES} scrapes after ${WARMUP} warm-up; Node ${process.version}`);
    console.log(`GET /metrics  median ${f(result.httpMs.median)} ms  p99 ${f(result.httpMs.p99)} ms  max ${f(result.httpMs.max)} ms  (target < ${TARGET_MS} ms)`);
    console.log(`render only   median ${f(result.renderMs.median)} ms  p99 ${f(result.renderMs.p99)} ms`);
    console.log(`body ${(last.bytes / 1024).toFixed(1)} KiB, ${totalSeries} series in all`);
    console.log(`render breakdown (medians of ${BREAKDOWN_REPEATS}): drift verdicts of all versions ${f(verdictMs)} ms; slowest families: ${slowest.map(([n, t]) => `${n} ${f(t)} ms`).join(', ')}`);
    console.log('');
    console.log('series per monitored model version (F input features of k bins, M = 5 scores, no profiled outputs):');
    console.log('  drift = F·k bin counters + F·k reference shares + 3F data quality + F status + M·F scores + 2 = F·(2k + 4 + M) + 2');
    for (const p of perModel) {
      console.log(`  ${p.model}: drift ${p.drift} (formula with F=${FEATURES}, k=${p.bins.join('/')}: ${p.formula}) + serving ${p.serving} = ${p.total}`);
    }
    const first = perModel[0];
    if (first !== undefined) {
      console.log(`  families of ${first.model}: ${Object.entries(first.families).map(([n, c]) => `${n} ${c}`).join(', ')}`);
    }
    console.log(mismatched.length === 0 ? 'formula matches every model' : `formula MISMATCH: ${mismatched.map((p) => p.model).join(', ')}`);
    console.log((result.httpMs.p99 ?? Infinity) < TARGET_MS ? `p99 under ${TARGET_MS} ms: yes` : `p99 under ${TARGET_MS} ms: NO`);
  }
  if (mismatched.length > 0) process.exitCode = 1;
} finally {
  await gateway.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
