import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startGateway, postJson, FIXTURE_REPOSITORY, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { PROMETHEUS_MISSING, prometheusInstalled, startPrometheus, type RunningPrometheus } from './helpers/prometheus.ts';
import { waitFor } from './helpers/wait.ts';
import { dashboards, render } from '../grafana/src/render.ts';
import { GATE_NAMES } from '../gateway/rollout/rollout-spec.ts';

/**
 * The Grafana dashboards, verified without Grafana:
 * 1. the checked-in JSON is what grafana/src generates;
 * 2. the model: unique uids, a `datasource` variable that every query uses,
 *    unique panel ids, grid positions inside 24 columns that do not overlap;
 * 3. every panel query (and every variable query) runs against a real Prometheus
 *    that loads deploy/prometheus's rules and scrapes two in-process gateways
 *    under traffic (a monitored iris model in a canary rollout with a shadow, a
 *    model whose runs fail), with the template variables substituted, and returns data.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DASHBOARDS = path.join(ROOT, 'grafana/dashboards');
const RULES = ['recording.yml', 'alerts.yml'].map((f) => path.join(ROOT, 'deploy/prometheus/rules', f));

interface Target { refId: string; datasource?: { type?: string; uid?: string }; expr: string; legendFormat?: string; instant?: boolean; range?: boolean; format?: string }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { type?: string; uid?: string }; targets?: Target[]; panels?: Panel[] }
interface Variable { type: string; name: string; query: string | { query: string }; datasource?: { type?: string; uid?: string } }
interface Dashboard { uid: string; title: string; schemaVersion: number; refresh: string; time: { from: string; to: string }; templating: { list: Variable[] }; panels: Panel[] }

const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json')).sort();
const loaded = files.map((file) => ({ file, dashboard: JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as Dashboard }));

/** Panels with their nested row panels, rows excluded. */
const queryPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => (p.type === 'row' ? queryPanels(p.panels ?? []) : [p]));
const DS = '${datasource}';
/** Grafana's global variables the queries may use. */
const BUILTIN = new Set(['__rate_interval', '__interval', '__range', '__range_s']);
const variablesIn = (text: string): string[] => [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)].map((m) => (m[1] ?? m[2])!);

test('the checked-in dashboards are a fresh generation of grafana/src (npm run build:dashboards)', () => {
  const generated = dashboards();
  assert.deepEqual(files, [...generated.keys()].sort(), 'grafana/dashboards holds exactly the generated files');
  for (const [file, dashboard] of generated) {
    assert.equal(readFileSync(path.join(DASHBOARDS, file), 'utf8'), render(dashboard), `${file} differs from a fresh generation`);
  }
});

test('dashboard model: uids, datasource variable, targets, panel ids, grid', () => {
  assert.ok(loaded.length >= 3, `${loaded.length} dashboards`);
  const uids = loaded.map((d) => d.dashboard.uid);
  assert.equal(new Set(uids).size, uids.length, `uids unique across dashboards: ${uids.join(', ')}`);
  for (const { file, dashboard: d } of loaded) {
    assert.match(d.uid, /^[a-zA-Z0-9_-]{1,40}$/, `${file}: uid`);
    assert.ok(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36, `${file}: schemaVersion ${d.schemaVersion}`);
    assert.match(d.refresh, /^\d+[smh]$/, `${file}: refresh`);
    assert.ok(d.time.from.startsWith('now-') && d.time.to === 'now', `${file}: time range`);
    const variables = d.templating.list;
    const datasource = variables.find((v) => v.name === 'datasource');
    assert.ok(datasource !== undefined && datasource.type === 'datasource' && datasource.query === 'prometheus', `${file}: a datasource variable of type datasource (prometheus)`);
    const names = new Set(variables.map((v) => v.name));
    assert.equal(names.size, variables.length, `${file}: variable names unique`);
    for (const v of variables.filter((x) => x.type === 'query')) {
      assert.deepEqual(v.datasource, { type: 'prometheus', uid: DS }, `${file}: variable ${v.name} queries \${datasource}`);
    }

    const panels = queryPanels(d.panels);
    assert.ok(panels.length > 0, `${file}: has panels`);
    const ids = [...d.panels, ...d.panels.flatMap((p) => p.panels ?? [])].map((p) => p.id);
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0), `${file}: integer panel ids`);
    assert.equal(new Set(ids).size, ids.length, `${file}: panel ids unique`);
    for (const p of panels) {
      const where = `${file}: panel "${p.title}"`;
      assert.ok(p.targets !== undefined && p.targets.length > 0, `${where} has targets`);
      if (p.datasource !== undefined) assert.deepEqual(p.datasource, { type: 'prometheus', uid: DS }, `${where}: panel datasource`);
      assert.equal(new Set(p.targets.map((t) => t.refId)).size, p.targets.length, `${where}: refIds unique`);
      for (const t of p.targets) {
        assert.deepEqual(t.datasource, { type: 'prometheus', uid: DS }, `${where} ${t.refId}: target datasource is the variable`);
        assert.ok(t.expr.trim().length > 0, `${where} ${t.refId}: expr`);
        for (const name of variablesIn(t.expr)) assert.ok(names.has(name) || BUILTIN.has(name), `${where} ${t.refId}: unknown variable $${name}`);
      }
    }

    // Grid: inside 24 columns, and no two panels (rows included) share a cell.
    const placed = d.panels;
    for (const p of placed) {
      const { x, y, w, h } = p.gridPos;
      assert.ok([x, y, w, h].every(Number.isInteger) && x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, `${file}: "${p.title}" gridPos ${JSON.stringify(p.gridPos)}`);
    }
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i]!.gridPos;
        const b = placed[j]!.gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${file}: "${placed[i]!.title}" ${JSON.stringify(a)} overlaps "${placed[j]!.title}" ${JSON.stringify(b)}`);
      }
    }
  }
});

test('provisioning: a Prometheus datasource at http://prometheus:9090 and a file provider for the dashboards', () => {
  const ds = parse(readFileSync(path.join(ROOT, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'));
  assert.equal(ds.apiVersion, 1);
  assert.equal(ds.datasources.length, 1);
  assert.deepEqual([ds.datasources[0].type, ds.datasources[0].url, ds.datasources[0].uid], ['prometheus', 'http://prometheus:9090', 'modelgate-prometheus']);
  const provider = parse(readFileSync(path.join(ROOT, 'grafana/provisioning/dashboards/modelgate.yaml'), 'utf8'));
  assert.equal(provider.apiVersion, 1);
  assert.deepEqual([provider.providers[0].type, provider.providers[0].options.path], ['file', '/var/lib/grafana/dashboards']);
});

// ---------------------------------------------------------------------------
// Every query against a real Prometheus.

/** What the template variables stand for in the queries (1 s scrapes: a 1m rate window holds 60 samples). */
const VALUES: Record<string, string> = {
  datasource: 'modelgate-prometheus', model: 'iris', version: '1', feature: 'petal_length', baseline: '1', candidate: '2',
  __rate_interval: '1m', __interval: '5s', __range: '5m', __range_s: '300',
};
const substitute = (text: string): string =>
  text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => VALUES[(a ?? b)!] ?? whole);

/**
 * iris 1 → 2 with every gate and half of the baseline's requests mirrored: it stays in its
 * first step (a long interval) and its controller judges every gate on each tick; a failing
 * gate pauses it rather than ending it, so the verdicts (and the shadow) go on.
 */
const ROLLOUT = {
  model: 'iris', baseline: 1, candidate: 2, steps: [10, 50, 100], interval_seconds: 3600, min_samples: 30, pause_after_intervals: 100,
  shadow: { share: 0.5 }, gates: Object.fromEntries(GATE_NAMES.map((gate) => [gate, { on_fail: 'pause' }])),
};

const installed = prometheusInstalled();
let repository: string | undefined;
const replicas: RunningGateway[] = [];
let prometheus: RunningPrometheus | undefined;
let traffic: Promise<void> | undefined;
let stopTraffic = false;

before(async () => {
  if (!installed) return;
  repository = mkdtempSync(path.join(tmpdir(), 'modelgate-dashboards-'));
  // iris 1 and 2 carry reference profiles (inputs and the label output): both monitored,
  // with a window small enough for a verdict after a few hundred rows.
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris'), path.join(repository, 'iris'), { recursive: true });
  appendFileSync(path.join(repository, 'iris', 'config.yaml'), 'monitoring: {window: {kind: count, size: 240}, min_samples: 120}\n');
  mkdirSync(path.join(repository, 'fails_at_runtime'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'fails_at_runtime'), path.join(repository, 'fails_at_runtime'), { recursive: true });
  // One in-process rollout controller (ticking twice a second); the other replica follows its traffic.yaml.
  replicas.push(...await Promise.all([
    startGateway({ modelRepository: repository, rolloutTickSeconds: 0.5 }),
    startGateway({ modelRepository: repository, rolloutController: 'external' }),
  ]));
  await replicas[0]!.gateway.rollouts.begin(ROLLOUT, 'dashboards test');
  prometheus = await startPrometheus({ targets: replicas.map((r) => new URL(r.url).host), ruleFiles: RULES, intervalSeconds: 1 });
  traffic = sendTraffic();
});

after(async () => {
  stopTraffic = true;
  await traffic;
  await prometheus?.stop();
  await Promise.all(replicas.map((r) => r.close()));
  if (repository !== undefined) rmSync(repository, { recursive: true, force: true });
});

/** Until stopped: iris rows (some with missing or out-of-range values) to both versions, runs that fail, and bad requests, on both replicas. */
async function sendTraffic(): Promise<void> {
  const csv = readFileSync(path.join(repository!, 'iris', '1', 'training-data.csv'), 'utf8').trim().split('\n').slice(1);
  const rows: (number | string)[][] = csv.map((line) => line.split(',').slice(0, 4).map(Number));
  const reshape = (shape: number[]) => ({ inputs: [{ name: 'INPUT0', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'SHAPE', shape: [2], datatype: 'INT64', data: shape }] });
  for (let round = 0; !stopTraffic; round++) {
    const batch = Array.from({ length: 12 }, (_, i) => rows[(round * 12 + i) % rows.length]!);
    if (round % 5 === 0) batch.push([5.1, 'NaN', 1.4, 0.2], [5.1, 3.5, 99, 0.2]);
    const iris = (version: number) => ({ url: `/v2/models/iris/versions/${version}/infer`, body: { inputs: [{ name: 'input', shape: [batch.length, 4], datatype: 'FP32', data: batch }] } });
    const requests = [iris(1), iris(2), { url: '/v2/models/fails_at_runtime/infer', body: reshape([2, 2]) }];
    if (round % 10 === 0) requests.push({ url: '/v2/models/fails_at_runtime/infer', body: reshape([3, 2]) }, { url: '/v2/models/iris/versions/1/infer', body: { inputs: [] } });
    await Promise.all(replicas.flatMap((replica) => requests.map((r) => postJson(`${replica.url}${r.url}`, r.body).catch(() => undefined))));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Series { metric: Record<string, string>; values: number[] }

/** Runs one query as Grafana would: instant (`/api/v1/query`) or range (`/api/v1/query_range`, the last minute). */
async function run(expr: string, instant: boolean): Promise<Series[]> {
  const now = Date.now() / 1000;
  const params = new URLSearchParams({ query: expr });
  if (instant) params.set('time', now.toFixed(3));
  else for (const [k, v] of Object.entries({ start: (now - 60).toFixed(3), end: now.toFixed(3), step: '5' })) params.set(k, v);
  const response = await fetch(`${prometheus!.url}/api/v1/${instant ? 'query' : 'query_range'}?${params}`, { method: 'GET', signal: AbortSignal.timeout(5_000) });
  const body = await response.json() as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] } };
  if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus: ${body.error ?? response.status}`);
  return body.data.result.map((r) => ({ metric: r.metric, values: (r.values ?? (r.value === undefined ? [] : [r.value])).map((v) => Number(v[1])) }));
}

/** Why a target's result would leave its panel empty or mislabelled; undefined when it is fine. */
function problem(series: Series[], legend: string | undefined): string | undefined {
  if (series.length === 0) return 'no series';
  if (!series.some((s) => s.values.some(Number.isFinite))) return `${series.length} series, no finite sample`;
  for (const [, label] of (legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    const without = series.find((s) => s.metric[label!] === undefined);
    if (without !== undefined) return `legend {{${label}}} but a series has no such label: ${JSON.stringify(without.metric)}`;
  }
  return undefined;
}

test('every panel and variable query returns data from Prometheus scraping two gateways under traffic', { timeout: 90_000 }, async (t) => {
  assert.ok(installed, PROMETHEUS_MISSING);
  const prom = prometheus!;
  // Rules have run over traffic: drift series of iris 1 and a non-zero error ratio.
  await waitFor('recorded drift and error series', async () => {
    const psi = await prom.query('model_version_feature:modelgate_input_feature_bin:psi5m{model="iris",version="1"}');
    const errors = await prom.queryOne('model_version:modelgate_inference_requests_errors:ratio_rate5m{model="fails_at_runtime"}');
    const up = await prom.queryOne('sum(up{job="modelgate"})');
    return psi.length === 4 && errors !== undefined && errors > 0 && up === 2 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250 });

  // Variables: Grafana runs label_values(selector, label) as /api/v1/label/<label>/values?match[]=selector.
  for (const { file, dashboard } of loaded) {
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      const text = typeof v.query === 'string' ? v.query : v.query.query;
      const parsed = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
      assert.ok(parsed !== null, `${file}: variable ${v.name}: ${text} is label_values(selector, label)`);
      const params = new URLSearchParams({ 'match[]': substitute(parsed[1]!), start: String(Date.now() / 1000 - 300) });
      const body = await (await fetch(`${prom.url}/api/v1/label/${parsed[2]}/values?${params}`, { signal: AbortSignal.timeout(5_000) })).json() as { status: string; data: string[] };
      assert.equal(body.status, 'success', `${file}: variable ${v.name}`);
      assert.ok(body.data.includes(VALUES[v.name]!), `${file}: variable ${v.name} (${text}) offers ${JSON.stringify(body.data)}, not ${VALUES[v.name]}`);
    }
  }

  // Panels: every target, retried until a deadline (a rate needs two samples in its window).
  const targets = loaded.flatMap(({ file, dashboard }) => queryPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((target) => ({
    where: `${file} / "${p.title}" ${target.refId}`, expr: substitute(target.expr), instant: target.instant === true, legend: target.legendFormat,
  }))));
  let pending = targets.map((target) => ({ ...target, why: 'not run' }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const results = await Promise.all(pending.map(async (target) => {
      assert.doesNotMatch(target.expr, /\$/, `${target.where}: unsubstituted variable in ${target.expr}`);
      try {
        return { ...target, why: problem(await run(target.expr, target.instant), target.legend) };
      } catch (error) {
        return { ...target, why: error instanceof Error ? error.message : String(error) };
      }
    }));
    pending = results.filter((r): r is typeof r & { why: string } => r.why !== undefined);
    if (pending.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  t.diagnostic(`${targets.length} panel queries over ${loaded.length} dashboards, ${targets.length - pending.length} returned data`);
  assert.deepEqual(pending.map((p) => `${p.where}: ${p.why}\n    ${p.expr}`), [], 'panel queries without data');
});
