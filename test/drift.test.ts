import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, postJson, getJson, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { buildProfile } from '../gateway/monitoring/drift/profile-builder.ts';

/**
 * A copy of the iris sample with a reference profile built from its training
 * data and a small count window, so a few hundred requests reach a verdict.
 */
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
/** Twice the 120 training rows: a full window of reference traffic has exactly the reference distribution. */
const WINDOW = 240;
let repository: string;
let server: RunningGateway;
let rows: number[][];

before(async () => {
  repository = mkdtempSync(path.join(tmpdir(), 'modelgate-drift-'));
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris'), path.join(repository, 'iris'), { recursive: true });
  // Version 2 stays unmonitored: the 404 case below.
  rmSync(path.join(repository, 'iris', '2', 'reference.json'), { force: true });
  const csv = readFileSync(path.join(repository, 'iris', '1', 'training-data.csv'), 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  rows = csv.slice(1).map((line) => line.split(',').map(Number));
  const column = (name: string) => rows.map((r) => r[header.indexOf(name)]!);
  const profile = buildProfile(
    FEATURES.map((name, i) => ({ name, kind: 'numeric' as const, values: column(name), source: { tensor: 'input', column: i } })),
    { outputs: [{ name: 'label', kind: 'categorical', values: column(header[header.length - 1]!), source: { tensor: 'label' } }] },
  );
  writeFileSync(path.join(repository, 'iris', '1', 'reference.json'), JSON.stringify(profile));
  appendFileSync(path.join(repository, 'iris', 'config.yaml'), `monitoring: {window: {kind: count, size: ${WINDOW}}, min_samples: ${WINDOW}}\n`);
  server = await startGateway({ modelRepository: repository });
  rows = rows.map((r) => r.slice(0, 4));
});
after(async () => {
  await server.close();
  rmSync(repository, { recursive: true, force: true });
});

const infer = (data: (number | string)[][]) =>
  postJson(`${server.url}/v2/models/iris/versions/1/infer`, { inputs: [{ name: 'input', shape: [data.length, 4], datatype: 'FP32', data }] });

async function metrics(): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

test('every reference bin is exported before traffic, with its reference share', async () => {
  const text = await metrics();
  const shares = [...text.matchAll(/^modelgate_input_reference_share\{model="iris",version="1",feature="petal_length",bin="\d+"\} (\S+)$/gm)].map((m) => Number(m[1]));
  assert.ok(shares.length >= 5, `petal_length has ${shares.length} bins`);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const counts = [...text.matchAll(/^modelgate_input_feature_bin_total\{model="iris",version="1",feature="petal_length",bin="\d+"\} (\S+)$/gm)];
  assert.equal(counts.length, shares.length);
  assert.ok(counts.every((m) => m[1] === '0'));
  const drift = await getJson(`${server.url}/v2/models/iris/versions/1/drift`);
  assert.equal(drift.status, 200);
  assert.equal(drift.body.status, 'insufficient_data');
});

test('reference-like traffic is not flagged; a shifted feature is', async () => {
  for (let sent = 0; sent < WINDOW; sent += 12) await infer(Array.from({ length: 12 }, (_, i) => rows[(sent + i) % rows.length]!));
  const calm = await getJson(`${server.url}/v2/models/iris/versions/1/drift`);
  assert.equal(calm.body.window.rows >= WINDOW, true);
  assert.deepEqual(calm.body.features.map((f: { status: string }) => f.status), ['ok', 'ok', 'ok', 'ok'], JSON.stringify(calm.body.features.map((f: { score: number }) => f.score)));
  // Shift petal_length by +2 cm on a full window.
  for (let sent = 0; sent < WINDOW; sent += 12) {
    await infer(Array.from({ length: 12 }, (_, i) => { const r = [...rows[(sent + i) % rows.length]!]; r[2]! += 2; return r; }));
  }
  const drifted = await getJson(`${server.url}/v2/models/iris/versions/1/drift`);
  const byName = Object.fromEntries(drifted.body.features.map((f: { name: string; status: string }) => [f.name, f]));
  assert.equal(byName.petal_length.status, 'alert');
  assert.equal(byName.sepal_width.status, 'ok');
  assert.ok(byName.petal_length.live.counts.length === byName.petal_length.reference.shares.length);
  assert.equal(drifted.body.outputs[0].name, 'label');
  const text = await metrics();
  assert.match(text, /^modelgate_drift_status\{model="iris",version="1",feature="petal_length"\} 2$/m);
  assert.match(text, /^modelgate_drift_score\{model="iris",version="1",feature="petal_length",method="psi"\} \d/m);
  const total = [...text.matchAll(/^modelgate_input_feature_bin_total\{model="iris",version="1",feature="sepal_width",bin="\d+"\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  assert.equal(total, 2 * WINDOW, 'every row is counted in exactly one bin');
});

test('missing and out-of-range values are served and counted as data-quality events', async () => {
  const before = await metrics();
  const count = (text: string, kind: string) => Number(new RegExp(`^modelgate_data_quality_events_total\\{model="iris",version="1",feature="sepal_width",kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  const result = await infer([[5.1, 'NaN', 1.4, 0.2], [5.1, 99, 1.4, 0.2]]);
  assert.equal(result.status, 200, result.text);
  const after = await metrics();
  assert.equal(count(after, 'missing') - count(before, 'missing'), 1);
  assert.equal(count(after, 'out_of_range') - count(before, 'out_of_range'), 1);
});

test('an unmonitored version answers 404 on /drift', async () => {
  const response = await getJson(`${server.url}/v2/models/iris/versions/2/drift`);
  assert.equal(response.status, 404);
  assert.match(response.body.error, /not monitored/);
});
