import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, postJson, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { PROMETHEUS_MISSING, prometheusInstalled, startPrometheus, type RunningPrometheus } from './helpers/prometheus.ts';
import { waitFor } from './helpers/wait.ts';
import { binsByFeature, scrapeMetrics } from './helpers/metrics-text.ts';
import { cleanEvaluation } from './helpers/rule-evaluation.ts';
import { buildProfile } from '../gateway/monitoring/drift/profile-builder.ts';
import { psi } from '../gateway/monitoring/drift/metrics.ts';

/**
 * The fleet-wide PSI of deploy/prometheus/rules/recording.yml, computed by a real
 * Prometheus over two gateway replicas, is the PSI the gateway itself computes
 * (`psi()`) over the two replicas' bin counts added up.
 *
 * Replica A gets reference-like traffic (the iris training rows the reference was
 * built from), replica B shifted traffic (petal_length + 1.5 cm, sepal_width + 0.3 cm).
 * No single replica sees the fleet's distribution; only the summed counters do.
 *
 * Why the two only agree within a tolerance: `increase(x[5m])` extrapolates. A bin
 * counter's first sample is 0 (every bin is exported before traffic), so nothing is
 * added at the window's start; at its end the increase is stretched from the
 * replica's last scrape to the evaluation time: by the factor
 *   f = 1 + (t_eval − t_last) / (t_last − t_first),
 * the same for every bin of one replica, different between replicas (their scrapes
 * have different phases within the interval). A common factor cancels in the shares;
 * the difference reweights A against B in the sum. Prometheus extrapolates only while
 * t_eval − t_last < 1.1 scrape intervals (1.1 s here), so comparing an evaluation at
 * least SPAN_S = 30 s after the first scrape (t_last − t_first > 28.9 s) bounds each
 * f − 1, hence |f_B / f_A − 1|, by 1.1 / 28.9 = 3.8 % (in practice t_eval − t_last
 * < 1 s: 3.5 %). The shifted replica's weight in the sum moves by about half of that,
 * and PSI here grows about as its square, so the relative PSI error is about
 * |f_B / f_A − 1|. Measured, error / |f_B / f_A − 1| = 0.93–0.98: 0.59–0.62 % for
 * factors 1.0172 / 1.0108, 0.75–0.78 % for 1.0206 / 1.0125, 0.96–1.01 % for
 * 1.0330 / 1.0224, and, with a 20 s span, 2.47–2.59 % for 1.0393 / 1.0124. Hence a
 * relative TOLERANCE of 4 %: above the worst case (0.98 × 3.8 % = 3.7 %), and
 * still tight enough to catch a rule that drops or double-counts a replica (PSI off
 * by tens of percent).
 *
 * The rule's evaluation that is compared is one no scrape straddled (cleanEvaluation): a
 * sample is stamped with its scrape's start but stored at its end, so a rule evaluated
 * during a scrape misses a sample that a query for the same time made later sees. Rules run
 * every 0.7 s against 1 s scrapes so that such an evaluation comes (their phases drift).
 *
 * The test checks both:
 * - exactly (1e-9): the rule equals psi(reference shares, Σ_r f_r · counts_r) with each
 *   replica's f_r read from Prometheus at the rule's evaluation time: the rule is psi()
 *   over the summed histogram, extrapolation aside;
 * - within TOLERANCE: the rule equals psi(reference shares, Σ_r counts_r), the gateway's
 *   PSI of the combined traffic.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RULES = path.join(ROOT, 'deploy/prometheus/rules/recording.yml');
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
const SHIFT: Record<string, number> = { sepal_width: 0.3, petal_length: 1.5 };
/** Each replica gets the 120 training rows this many times. */
const PASSES = 4;
const BATCH = 12;
/** Seconds between the first scrape and the evaluation that is compared (see above). */
const SPAN_S = 30;
const PSI_RULE = 'model_version_feature:modelgate_input_feature_bin:psi5m';
const SELECTOR = '{job="modelgate",model="iris",version="1"}';
/** Relative tolerance on a PSI, plus an absolute floor for PSI ≈ 0 (unshifted features). */
const TOLERANCE = { relative: 0.04, absolute: 1e-9 };

const installed = prometheusInstalled();
let repository: string | undefined;
const replicas: RunningGateway[] = [];
let prometheus: RunningPrometheus | undefined;

interface Bins {
  shares: Map<string, number[]>;
  counts: Map<string, number[]>;
}

/** Reference shares and bin counters of iris v1, per feature, from a replica's /metrics. */
async function readBins(replica: RunningGateway): Promise<Bins> {
  const text = await scrapeMetrics(replica.url);
  const match = { model: 'iris', version: '1' };
  return { shares: binsByFeature(text, 'modelgate_input_reference_share', match), counts: binsByFeature(text, 'modelgate_input_feature_bin_total', match) };
}

const instanceOf = (replica: RunningGateway) => new URL(replica.url).host;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  if (!installed) return;
  repository = mkdtempSync(path.join(tmpdir(), 'modelgate-prometheus-psi-'));
  const model = path.join(repository, 'iris');
  mkdirSync(model);
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris', 'config.yaml'), path.join(model, 'config.yaml'));
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris', '1'), path.join(model, '1'), { recursive: true });
  const csv = readFileSync(path.join(model, '1', 'training-data.csv'), 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  const rows = csv.slice(1).map((line) => line.split(',').map(Number));
  const column = (name: string) => rows.map((r) => r[header.indexOf(name)]!);
  const profile = buildProfile(FEATURES.map((name, i) => ({ name, kind: 'numeric' as const, values: column(name), source: { tensor: 'input', column: i } })));
  writeFileSync(path.join(model, '1', 'reference.json'), JSON.stringify(profile));
  appendFileSync(path.join(model, 'config.yaml'), 'monitoring: {window: {kind: count, size: 240}, min_samples: 240}\n');
  replicas.push(...await Promise.all([startGateway({ modelRepository: repository }), startGateway({ modelRepository: repository })]));
  prometheus = await startPrometheus({ targets: replicas.map(instanceOf), ruleFiles: [RULES], intervalSeconds: 1, evaluationIntervalSeconds: 0.7 });
});

after(async () => {
  await prometheus?.stop();
  await Promise.all(replicas.map((r) => r.close()));
  if (repository !== undefined) rmSync(repository, { recursive: true, force: true });
});

test('PromQL PSI over two replicas agrees with psi() over their summed bin counts', { timeout: 75_000 }, async (t) => {
  assert.ok(installed, PROMETHEUS_MISSING);
  const prom = prometheus!;
  const [a, b] = replicas as [RunningGateway, RunningGateway];
  const initial = await readBins(a);
  assert.deepEqual([...initial.shares.keys()], [...FEATURES]);
  const series = [...initial.counts.values()].reduce((n, bins) => n + bins.length, 0);

  // 1. Both replicas scraped before any traffic: every bin counter's first sample is 0.
  await waitFor('the first scrape of both replicas', async () => {
    const count = await prom.queryOne(`count(modelgate_input_feature_bin_total${SELECTOR})`);
    return count === 2 * series ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 });
  const firstScrapeSeen = Date.now() / 1000;

  // 2. Traffic: A reference-like, B shifted; both at once.
  const csv = readFileSync(path.join(repository!, 'iris', '1', 'training-data.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = csv.map((line) => line.split(',').slice(0, 4).map(Number));
  const shifted = rows.map((r) => r.map((x, i) => x + (SHIFT[FEATURES[i]!] ?? 0)));
  const send = async (replica: RunningGateway, data: number[][]) => {
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0; i < data.length; i += BATCH) {
        const batch = data.slice(i, i + BATCH);
        const result = await postJson(`${replica.url}/v2/models/iris/versions/1/infer`, { inputs: [{ name: 'input', shape: [batch.length, 4], datatype: 'FP32', data: batch }] });
        assert.equal(result.status, 200, result.text);
      }
    }
  };
  await Promise.all([send(a, rows), send(b, shifted)]);
  const sent = PASSES * rows.length;

  // 3. The gateway's view: final counters of each replica, and psi() over their sum.
  const final = await Promise.all([readBins(a), readBins(b)]);
  const expected = new Map<string, number>();
  for (const feature of FEATURES) {
    const shares = final[0].shares.get(feature)!;
    assert.deepEqual(final[1].shares.get(feature), shares, `${feature}: both replicas export the same reference`);
    for (const replica of final) assert.equal(replica.counts.get(feature)!.reduce((x, y) => x + y, 0), sent, `${feature}: every row binned once`);
    const sum = shares.map((_, bin) => final[0].counts.get(feature)![bin]! + final[1].counts.get(feature)![bin]!);
    expected.set(feature, psi(shares, sum));
  }

  // 4. Prometheus has scraped the final values of both replicas ...
  const lastScrape = await waitFor('the final counters in Prometheus', async () => {
    const total = await prom.queryOne(`sum(modelgate_input_feature_bin_total${SELECTOR})`);
    return total === 2 * sent * FEATURES.length ? prom.queryOne(`max(timestamp(modelgate_input_feature_bin_total${SELECTOR}))`) : undefined;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  // ... and the rule has run at least one interval later, SPAN_S after the first scrape.
  const notBefore = Math.max(lastScrape + 1, firstScrapeSeen + SPAN_S);
  await sleep(Math.max(0, notBefore - Date.now() / 1000) * 1000);
  // An evaluation no scrape straddled: else the rule may miss a sample the queries below see.
  const { at: evaluatedAt, passedOver } = await cleanEvaluation(prom, `${PSI_RULE}${SELECTOR}`, { job: 'modelgate', targets: replicas.length, notBefore });

  // 5. At that evaluation: the rule's PSI, and each replica's extrapolation factor.
  const recorded = new Map((await prom.query(`${PSI_RULE}${SELECTOR}`, evaluatedAt)).map((s) => [s.metric.feature!, s.value]));
  const increases = await prom.query(`increase(modelgate_input_feature_bin_total${SELECTOR}[5m])`, evaluatedAt);
  const factors = final.map((replica, r) => {
    const mine = increases.filter((s) => s.metric.instance === instanceOf(replicas[r]!));
    const factor = mine.reduce((n, s) => n + s.value, 0) / (sent * FEATURES.length);
    for (const s of mine) {
      const count = replica.counts.get(s.metric.feature!)![Number(s.metric.bin)]!;
      assert.ok(Math.abs(s.value - factor * count) <= 1e-9 * Math.max(1, s.value), `one factor per replica: ${JSON.stringify(s)} vs ${factor} × ${count}`);
    }
    return factor;
  });
  t.diagnostic(`evaluation ${evaluatedAt.toFixed(3)} (${passedOver} passed over: a scrape straddled them), extrapolation factors A ${factors[0]!.toFixed(5)} B ${factors[1]!.toFixed(5)}`);

  for (const feature of FEATURES) {
    const shares = final[0].shares.get(feature)!;
    const extrapolated = shares.map((_, bin) => factors[0]! * final[0].counts.get(feature)![bin]! + factors[1]! * final[1].counts.get(feature)![bin]!);
    const exact = psi(shares, extrapolated);
    const actual = recorded.get(feature);
    const gateway = expected.get(feature)!;
    assert.ok(actual !== undefined, `${feature}: no ${PSI_RULE} series`);
    const deviation = Math.abs(actual - gateway);
    const off = gateway > 0 ? `relative deviation ${(deviation / gateway).toExponential(2)}` : `absolute deviation ${deviation.toExponential(2)}`;
    t.diagnostic(`${feature}: rule ${actual.toPrecision(8)}, psi(summed counts) ${gateway.toPrecision(8)}, ${off}; psi(extrapolated counts) ${exact.toPrecision(8)}`);
    assert.ok(Math.abs(actual - exact) <= 1e-9 * Math.max(1, exact), `${feature}: rule ${actual} vs psi over extrapolated counts ${exact}`);
    assert.ok(deviation <= TOLERANCE.relative * gateway + TOLERANCE.absolute, `${feature}: rule ${actual} vs gateway ${gateway} (factors ${factors.join(', ')})`);
  }
  // The readings make sense: shifted features drift, unshifted ones do not.
  assert.ok(expected.get('petal_length')! > 0.2);
  assert.ok(expected.get('sepal_length')! < 1e-9 && expected.get('petal_width')! < 1e-9);
});
