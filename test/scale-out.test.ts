import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SAMPLE_REPOSITORY } from './helpers/gateway.ts';
import { GatewayProcess } from './helpers/gateway-process.ts';
import { NGINX_MISSING, NGINX_TEMPLATE, nginxBinary, startNginx, type RunningNginx } from './helpers/load-balancer.ts';
import { binsByFeature, samplesOf, scrapeMetrics } from './helpers/metrics-text.ts';
import { PROMETHEUS_MISSING, prometheusInstalled, startPrometheus, type RunningPrometheus } from './helpers/prometheus.ts';
import { waitFor } from './helpers/wait.ts';
import { OUTCOMES } from '../gateway/monitoring/outcome.ts';
import { psi } from '../gateway/monitoring/drift/metrics.ts';
import { histogramQuantile, type HistogramBucket } from '../gateway/rollout/quantiles.ts';
import { cleanEvaluation, extrapolationFactors } from './helpers/rule-evaluation.ts';

/**
 * Scale-out evidence on one machine: three `modelgate serve` processes behind a real nginx
 * (deploy/scale-out/nginx.conf), a real Prometheus scraping the three with the recording
 * rules of deploy/prometheus/rules/recording.yml. Traffic goes through nginx only. Then:
 *
 * 1. nothing lost or counted twice: requests sent = lines in nginx's access log = the
 *    replicas' counters added up, per replica (nginx's upstream vs the replica's /metrics)
 *    and per outcome; every replica served a share;
 * 2. fleet req/s: the rule equals the replicas' rate() added up at the same evaluation time;
 * 3. fleet p99: the rule equals histogram_quantile over the replicas' buckets added up in
 *    PromQL, and histogramQuantile() (the gateway's own) over the buckets of the three
 *    /metrics added up here;
 * 4. fleet PSI: the rule equals psi() (the gateway's own) over the three replicas' bin
 *    counts added up here, against the reference shares.
 *
 * Comparing a rule with a recomputation at its evaluation time t is exact only if the rule
 * saw every sample stamped ≤ t: each comparison uses an evaluation no scrape straddled, and
 * rules run every 0.7 s against 1 s scrapes so that one comes (see cleanEvaluation).
 *
 * The /metrics figures (3, 4) differ from Prometheus's by rate()'s extrapolation: each
 * replica's increase is its counters times a factor f_r = 1 + (t − t_last) / (t_last −
 * t_first) (the first sample is 0, scraped before any traffic), one per replica (see
 * prometheus-psi.test.ts). Hence each is checked twice: exactly, with the f_r read from
 * Prometheus applied to the /metrics counts; and against the raw counts within what the f_r
 * allow: for p99 the rule's value must sit at a tail rank within [1/ρ, ρ] × 1 % of the merged
 * raw histogram (ρ = max f / min f, a strict bound: the reweighting scales any tail share by
 * at most ρ); for PSI within 4 %, the bound prometheus-psi.test.ts derives for a span ≥ 30 s.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RULES = path.join(ROOT, 'deploy/prometheus/rules/recording.yml');
const HAND_PROMETHEUS = path.join(ROOT, 'deploy/scale-out/prometheus.yml');
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
const SHIFT: Record<string, number> = { sepal_width: 0.3, petal_length: 1.5 };
const SELECTOR = '{job="modelgate",model="iris",version="1"}';
const MATCH = { model: 'iris', version: '1' };
const RULE = {
  rate: 'model_version:modelgate_inference_requests:rate5m',
  p99: 'model_version:modelgate_request_duration_seconds:p99_rate5m',
  psi: 'model_version_feature:modelgate_input_feature_bin:psi5m',
};
/** Traffic: the 120 training rows REFERENCE_PASSES times, shifted rows SHIFTED_PASSES times, BATCH rows a request. */
const REFERENCE_PASSES = 3;
const SHIFTED_PASSES = 1;
const BATCH = 4;
/** Requests with a wrong shape (400, counted as client_error): one every BAD_EVERY requests. */
const BAD_EVERY = 12;
const CONCURRENCY = 6;
/** Seconds between the first scrape and a compared evaluation (bounds the extrapolation, see above). */
const SPAN_S = 30;
/**
 * PSI: 4 % relative (see above), plus an absolute floor for features that did not drift
 * (PSI 0 over the raw counts): reweighting replicas whose traffic differs leaves a PSI of the
 * order of (ρ − 1)² (≈ 1e-6 here); 1e-4 is a thousandth of the 0.1 "stable" reading.
 */
const PSI_TOLERANCE = { relative: 0.04, absolute: 1e-4 };
const EXACT = 1e-9;

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const close = (a: number, b: number, relative = EXACT) => Math.abs(a - b) <= relative * Math.max(1, Math.abs(a), Math.abs(b));

interface Infer {
  body: unknown;
  expected: number;
  rows: number;
}

/** The request mix, in a fixed order: reference-like and shifted batches interleaved, a bad one now and then. */
function requestMix(rows: number[][]): Infer[] {
  const shifted = rows.map((r) => r.map((x, i) => x + (SHIFT[FEATURES[i]!] ?? 0)));
  const batches = (data: number[][], passes: number) => {
    const out: number[][][] = [];
    for (let pass = 0; pass < passes; pass++) for (let i = 0; i < data.length; i += BATCH) out.push(data.slice(i, i + BATCH));
    return out;
  };
  const reference = batches(rows, REFERENCE_PASSES);
  const drifted = batches(shifted, SHIFTED_PASSES);
  const good: number[][][] = [];
  const every = Math.round(reference.length / drifted.length);
  for (let i = 0, d = 0; i < reference.length; i++) {
    good.push(reference[i]!);
    if ((i + 1) % every === 0 && d < drifted.length) good.push(drifted[d++]!);
  }
  const mix: Infer[] = [];
  for (const batch of good) {
    mix.push({ body: { inputs: [{ name: 'input', shape: [batch.length, 4], datatype: 'FP32', data: batch }] }, expected: 200, rows: batch.length });
    if (mix.length % BAD_EVERY === BAD_EVERY - 1) mix.push({ body: { inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [5.1, 3.5, 1.4] }] }, expected: 400, rows: 0 });
  }
  return mix;
}

/** Sends the mix through `url` from CONCURRENCY clients; asserts each status. */
async function drive(url: string, mix: readonly Infer[]): Promise<void> {
  let next = 0;
  const client = async () => {
    for (let i = next++; i < mix.length; i = next++) {
      const response = await fetch(`${url}/v2/models/iris/versions/1/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mix[i]!.body) });
      const text = await response.text();
      assert.equal(response.status, mix[i]!.expected, text);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
}

/** What one replica's /metrics says about iris v1. */
interface ReplicaReading {
  requests: Map<string, number>;
  buckets: HistogramBucket[];
  shares: Map<string, number[]>;
  counts: Map<string, number[]>;
}

async function readReplica(replica: GatewayProcess): Promise<ReplicaReading> {
  const text = await scrapeMetrics(replica.url);
  return {
    requests: new Map(samplesOf(text, 'modelgate_inference_requests_total', MATCH).map((s) => [s.labels.outcome!, s.value])),
    buckets: samplesOf(text, 'modelgate_request_duration_seconds_bucket', MATCH).map((s) => ({ le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: s.value })),
    shares: binsByFeature(text, 'modelgate_input_reference_share', MATCH),
    counts: binsByFeature(text, 'modelgate_input_feature_bin_total', MATCH),
  };
}

const totalOf = (reading: ReplicaReading) => sum(reading.requests.values());

/** Buckets added up le by le (the merge of histograms with the same bounds), each replica weighted. */
function mergeBuckets(readings: readonly ReplicaReading[], weights: readonly number[]): HistogramBucket[] {
  return readings[0]!.buckets.map((bucket, i) => ({ le: bucket.le, count: sum(readings.map((r, k) => weights[k]! * r.buckets[i]!.count)) }));
}

function isolatedRepository(): string {
  const repository = mkdtempSync(path.join(tmpdir(), 'modelgate-scale-out-'));
  const model = path.join(repository, 'iris');
  mkdirSync(model);
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris', '1'), path.join(model, '1'), { recursive: true });
  // One worker per replica: three replicas share the machine.
  const config = readFileSync(path.join(SAMPLE_REPOSITORY, 'iris', 'config.yaml'), 'utf8');
  assert.match(config, /^instance_count: \d+$/m);
  writeFileSync(path.join(model, 'config.yaml'), config.replace(/^instance_count: \d+$/m, 'instance_count: 1'));
  return repository;
}

type Note = (message: string) => void;

/** Requests sent = nginx's access-log lines = the replicas' counters, per replica and per outcome; every replica served a share. */
async function checkNothingLostOrDoubled(nginx: RunningNginx, replicas: readonly GatewayProcess[], readings: readonly ReplicaReading[], mix: readonly Infer[], note: Note): Promise<void> {
  const sent = { success: mix.filter((r) => r.expected === 200).length, client_error: mix.filter((r) => r.expected === 400).length };
  const fleet = Object.fromEntries(OUTCOMES.map((o) => [o, sum(readings.map((r) => r.requests.get(o)!))]));
  assert.deepEqual(fleet, { ...Object.fromEntries(OUTCOMES.map((o) => [o, 0])), ...sent });
  // nginx writes a line once the response is sent, so the client may see the response first.
  const logged = await waitFor('an access-log line for every request', async () => {
    const lines = nginx.accessLog().filter((entry) => entry.request.startsWith('POST /v2/models/iris/versions/1/infer '));
    return lines.length >= mix.length ? lines : undefined;
  }, { timeoutMs: 5_000, intervalMs: 50 });
  assert.equal(logged.length, mix.length);
  for (const entry of logged) assert.equal(entry.upstreams.length, 1, `one replica per request: ${JSON.stringify(entry)}`);
  replicas.forEach((replica, k) => {
    const reading = readings[k]!;
    const mine = logged.filter((entry) => entry.upstreams[0] === replica.address);
    assert.equal(mine.length, totalOf(reading), `${replica.address}: nginx's count = the replica's`);
    assert.equal(mine.filter((entry) => entry.status === 400).length, reading.requests.get('client_error'), `${replica.address}: 400s`);
    assert.ok(mine.length >= 0.1 * mix.length, `${replica.address} served ${mine.length} of ${mix.length}: the balancer spread the traffic`);
    for (const feature of FEATURES) assert.equal(sum(reading.counts.get(feature)!), BATCH * reading.requests.get('success')!, `${replica.address}: ${feature} binned once per row it served`);
  });
  note(`requests ${mix.length} (${sent.success} ok, ${sent.client_error} bad); per replica ${readings.map((r, k) => `${replicas[k]!.address} ${totalOf(r)} (${(100 * totalOf(r) / mix.length).toFixed(1)} %)`).join(', ')}`);
}

/** The fleet req/s rule = the replicas' rate() added up, at the same evaluation. */
async function checkFleetRate(prom: RunningPrometheus, instances: readonly string[], at: number, note: Note): Promise<void> {
  const fleet = await prom.queryOne(`${RULE.rate}${SELECTOR}`, at);
  const rates = await prom.query(`rate(modelgate_inference_requests_total${SELECTOR}[5m])`, at);
  const perReplica = instances.map((instance) => sum(rates.filter((s) => s.metric.instance === instance).map((s) => s.value)));
  assert.ok(fleet !== undefined, `no ${RULE.rate}`);
  for (const rate of perReplica) assert.ok(rate > 0, 'every replica has a request rate');
  assert.ok(close(fleet, sum(perReplica)), `fleet req/s ${fleet} vs Σ replica rate() ${sum(perReplica)}`);
  note(`fleet req/s rule ${fleet.toPrecision(10)}, Σ replicas' rate() ${sum(perReplica).toPrecision(10)} (${perReplica.map((r) => r.toPrecision(6)).join(' + ')})`);
}

/** The fleet p99 rule = histogram_quantile over the summed buckets = histogramQuantile over the /metrics buckets merged. */
async function checkFleetP99(prom: RunningPrometheus, instances: readonly string[], readings: readonly ReplicaReading[], at: number, note: Note): Promise<void> {
  const fleet = await prom.queryOne(`${RULE.p99}${SELECTOR}`, at);
  const promql = await prom.queryOne(`histogram_quantile(0.99, sum by (le) (rate(modelgate_request_duration_seconds_bucket${SELECTOR}[5m])))`, at);
  assert.ok(fleet !== undefined && promql !== undefined, `no ${RULE.p99}`);
  assert.ok(close(fleet, promql), `p99 rule ${fleet} vs histogram_quantile over summed buckets ${promql}`);
  const factors = await extrapolationFactors(prom, at, `modelgate_inference_requests_total${SELECTOR}`, '5m', instances, readings.map(totalOf));
  const merged = mergeBuckets(readings, [1, 1, 1]);
  assert.equal(merged.at(-1)!.count, sum(readings.map(totalOf)), 'the merged histogram counts every request');
  const weighted = histogramQuantile(mergeBuckets(readings, factors), 0.99);
  assert.ok(close(fleet, weighted), `p99 rule ${fleet} vs histogramQuantile over Σ f_r · buckets ${weighted}`);
  const rho = Math.max(...factors) / Math.min(...factors);
  const [low, high] = [histogramQuantile(merged, 1 - 0.01 * rho), histogramQuantile(merged, 1 - 0.01 / rho)];
  assert.ok(low - EXACT <= fleet && fleet <= high + EXACT, `p99 rule ${fleet} outside [${low}, ${high}], the merged /metrics histogram's quantiles at tail 1 % × ρ^±1 (ρ ${rho})`);
  const ms = (seconds: number) => `${(1000 * seconds).toFixed(4)} ms`;
  note(`p99 rule ${ms(fleet)}, PromQL merge ${ms(promql)}, histogramQuantile(merged /metrics) ${ms(histogramQuantile(merged, 0.99))} (allowed ${ms(low)}–${ms(high)}), factors ${factors.map((f) => f.toFixed(5)).join(' ')}`);
}

/** The fleet PSI rule = psi() over the /metrics bin counts added up, against the reference shares; returns psi() per feature. */
async function checkFleetPsi(prom: RunningPrometheus, instances: readonly string[], readings: readonly ReplicaReading[], reference: ReadonlyMap<string, number[]>, at: number, note: Note): Promise<Map<string, number>> {
  const recorded = new Map((await prom.query(`${RULE.psi}${SELECTOR}`, at)).map((s) => [s.metric.feature!, s.value]));
  const factors = await extrapolationFactors(prom, at, `modelgate_input_feature_bin_total${SELECTOR}`, '5m', instances, readings.map((r) => sum([...r.counts.values()].map(sum))));
  const gateway = new Map<string, number>();
  const lines: string[] = [];
  for (const feature of FEATURES) {
    const shares = reference.get(feature)!;
    for (const reading of readings) assert.deepEqual(reading.shares.get(feature), shares, `${feature}: every replica exports the reference shares`);
    const counts = (weights: readonly number[]) => shares.map((_, bin) => sum(readings.map((r, k) => weights[k]! * r.counts.get(feature)![bin]!)));
    const rule = recorded.get(feature);
    assert.ok(rule !== undefined, `${feature}: no ${RULE.psi}`);
    const summed = psi(shares, counts([1, 1, 1]));
    const weighted = psi(shares, counts(factors));
    assert.ok(close(rule, weighted), `${feature}: PSI rule ${rule} vs psi(Σ f_r · counts) ${weighted}`);
    assert.ok(Math.abs(rule - summed) <= PSI_TOLERANCE.relative * summed + PSI_TOLERANCE.absolute, `${feature}: PSI rule ${rule} vs psi(Σ counts) ${summed} (factors ${factors.join(', ')})`);
    lines.push(`${feature} ${rule.toPrecision(6)} / ${summed.toPrecision(6)}`);
    gateway.set(feature, summed);
  }
  note(`PSI rule / psi(Σ /metrics counts): ${lines.join(', ')}`);
  return gateway;
}

test('three replicas behind nginx: fleet req/s, p99 and PSI rules equal the replicas merged', { timeout: 120_000 }, async (t) => {
  // Missing binaries fail the test: CI installs both (.ci/run); a skip would hide the evidence.
  assert.ok(nginxBinary() !== undefined, NGINX_MISSING);
  assert.ok(prometheusInstalled(), PROMETHEUS_MISSING);
  const note: Note = (message) => t.diagnostic(message);
  const repository = isolatedRepository();
  const replicas: GatewayProcess[] = [];
  let prometheus: RunningPrometheus | undefined;
  let nginx: RunningNginx | undefined;
  try {
    replicas.push(...await Promise.all([0, 1, 2].map(() => GatewayProcess.start(['--model-repository', repository]))));
    const instances = replicas.map((r) => r.address);
    [prometheus, nginx] = await Promise.all([
      startPrometheus({ targets: instances, ruleFiles: [RULES], intervalSeconds: 1, evaluationIntervalSeconds: 0.7 }),
      startNginx(instances),
    ]);
    const prom = prometheus;

    // Every replica scraped with all its series before any traffic: each counter's first sample is 0.
    const before = await readReplica(replicas[0]!);
    assert.equal(before.requests.size, OUTCOMES.length);
    const perReplica = before.requests.size + before.buckets.length + sum([...before.counts.values()].map((bins) => bins.length));
    await waitFor('the first scrape of the three replicas', async () => {
      const count = await prom.queryOne(`count({__name__=~"modelgate_inference_requests_total|modelgate_request_duration_seconds_bucket|modelgate_input_feature_bin_total",job="modelgate",model="iris",version="1"})`);
      return count === 3 * perReplica ? true : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    const firstScrapeSeen = Date.now() / 1000;

    // The traffic, through nginx only.
    const csv = readFileSync(path.join(repository, 'iris', '1', 'training-data.csv'), 'utf8').trim().split('\n').slice(1);
    const mix = requestMix(csv.map((line) => line.split(',').slice(0, 4).map(Number)));
    assert.ok(mix.every((r) => r.rows === (r.expected === 200 ? BATCH : 0)), 'every good request carries BATCH rows');
    const rows = sum(mix.map((r) => r.rows));
    await drive(nginx.url, mix);

    const readings = await Promise.all(replicas.map(readReplica));
    await checkNothingLostOrDoubled(nginx, replicas, readings, mix, note);
    for (const feature of FEATURES) assert.equal(sum(readings.map((r) => sum(r.counts.get(feature)!))), rows, `${feature}: every row binned once, fleet-wide`);

    // Prometheus holds the final counters of every replica; compare evaluations SPAN_S after the first scrape.
    const lastScrape = await waitFor('the final counters in Prometheus', async () => {
      const total = await prom.queryOne(`sum(modelgate_inference_requests_total${SELECTOR})`);
      const binned = await prom.queryOne(`sum(modelgate_input_feature_bin_total${SELECTOR})`);
      return total === mix.length && binned === rows * FEATURES.length ? prom.queryOne(`max(timestamp(modelgate_inference_requests_total${SELECTOR}))`) : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    const notBefore = Math.max(lastScrape! + 1, firstScrapeSeen + SPAN_S);
    await sleep(Math.max(0, notBefore - Date.now() / 1000) * 1000);

    // req/s and p99 come from one rule group, PSI from another: each has its own evaluations.
    const evaluation = async (rule: string) => {
      const { at, passedOver } = await cleanEvaluation(prom, `${rule}${SELECTOR}`, { job: 'modelgate', targets: 3, notBefore });
      note(`${rule}: evaluation ${at.toFixed(3)} (${passedOver} passed over: a scrape straddled them)`);
      return at;
    };
    const servingAt = await evaluation(RULE.rate);
    await checkFleetRate(prom, instances, servingAt, note);
    await checkFleetP99(prom, instances, readings, servingAt, note);
    const profile = JSON.parse(readFileSync(path.join(repository, 'iris', '1', 'reference.json'), 'utf8')) as { features: { name: string; shares: number[] }[] };
    const driftAt = await evaluation(RULE.psi);
    const gatewayPsi = await checkFleetPsi(prom, instances, readings, new Map(profile.features.map((f) => [f.name, f.shares])), driftAt, note);
    // The readings make sense: the shifted feature drifted fleet-wide, an unshifted one did not.
    assert.ok(gatewayPsi.get('petal_length')! > 0.1);
    assert.ok(gatewayPsi.get('sepal_length')! < 1e-9);
  } catch (error) {
    note(`nginx: ${nginx?.log() ?? ''}\nprometheus: ${prometheus?.log().slice(-2000) ?? ''}`);
    throw error;
  } finally {
    await Promise.all([nginx?.stop(), prometheus?.stop()]);
    await Promise.all(replicas.map((r) => r.stop()));
    rmSync(repository, { recursive: true, force: true });
  }
});

test('deploy/scale-out: the Prometheus config scrapes the replicas the nginx config balances, and promtool accepts it', () => {
  const upstreams = [...readFileSync(NGINX_TEMPLATE, 'utf8').matchAll(/^\s*server (\S+);$/gm)].map((m) => m[1]);
  const config = parse(readFileSync(HAND_PROMETHEUS, 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  const job = config.scrape_configs.find((c) => c.job_name === 'modelgate');
  assert.ok(job !== undefined, 'a job named modelgate (the rules keep it)');
  assert.equal(upstreams.length, 3, `${NGINX_TEMPLATE}: three upstream servers`);
  assert.deepEqual(job.static_configs.flatMap((c) => c.targets), upstreams);
  const check = spawnSync('promtool', ['check', 'config', HAND_PROMETHEUS], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(check.error, undefined, PROMETHEUS_MISSING);
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /SUCCESS: [1-9]\d* rule files found/);
});
