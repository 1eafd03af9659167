/**
 * TensorFlow.js models through the whole gateway, in a scratch repository: the iris_tfjs
 * layers sample (with a batching config), the iris_graph graph fixture (no config.yaml:
 * its platform is detected), a string echo graph, and broken versions (weights paths
 * escaping the version directory, a SavedModel without the native backend) that must
 * fail alone while the others serve. No backend is pinned: where tfjs-node is not
 * installed (as here) the workers fall back to WASM, and the metadata says so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { getJson, postJson, SAMPLE_REPOSITORY, startGateway, type RunningGateway } from './helpers/gateway.ts';
import { TFJS_BACKEND_ENV } from '../runtimes/tfjs-backend.ts';
import { profileTrainingData } from '../models/build/reference-profiles.ts';

const TFJS_FIXTURES = new URL('./fixtures/tfjs-models/', import.meta.url).pathname;
const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
const BACKEND = nativeInstalled ? 'tensorflow' : 'wasm';

const ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5], [6.3, 2.5, 5.0, 1.9]];

let root: string;
let repository: string;
let server: RunningGateway;

function graphJson(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
}

before(async () => {
  delete process.env[TFJS_BACKEND_ENV];
  root = mkdtempSync(path.join(tmpdir(), 'modelgate-tfjs-e2e-'));
  repository = path.join(root, 'repo');
  mkdirSync(repository);
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris_tfjs'), path.join(repository, 'iris_tfjs'), { recursive: true });
  // Batching made observable: one worker, and a batch waits (bounded) for four requests.
  const config = readFileSync(path.join(repository, 'iris_tfjs/config.yaml'), 'utf8')
    .replace(/^instance_count: .*$/m, 'instance_count: 1')
    .replace(/^dynamic_batching: .*$/m, 'dynamic_batching: {preferred_batch_sizes: [4], max_queue_delay_microseconds: 5000000}')
    + 'monitoring: {window: {kind: count, size: 10}, min_samples: 10}\n';
  writeFileSync(path.join(repository, 'iris_tfjs/config.yaml'), config);
  cpSync(path.join(TFJS_FIXTURES, 'iris_graph'), path.join(repository, 'iris_graph'), { recursive: true });

  // Weights paths that lead out of the version directory, each in its own model.
  writeFileSync(path.join(root, 'outside.bin'), readFileSync(path.join(TFJS_FIXTURES, 'iris_graph/1/weights.bin')));
  const escape = (name: string, shard: string, link = false) => {
    const dir = path.join(repository, name, '1');
    cpSync(path.join(TFJS_FIXTURES, 'iris_graph/1'), dir, { recursive: true });
    const json = graphJson(dir);
    json.weightsManifest[0].paths = [shard];
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    if (link) {
      rmSync(path.join(dir, 'weights.bin'));
      symlinkSync(path.join(root, 'outside.bin'), path.join(dir, 'weights.bin'));
    }
  };
  escape('escape_dotdot', '../../../outside.bin');
  escape('escape_absolute', path.join(root, 'outside.bin'));
  escape('escape_symlink', 'weights.bin', true);

  // A graph model configured as a layers model: refused, not served as what the file says.
  cpSync(path.join(TFJS_FIXTURES, 'iris_graph'), path.join(repository, 'mislabeled'), { recursive: true });
  writeFileSync(path.join(repository, 'mislabeled/config.yaml'), 'platform: tfjs_layers_model\n');

  const saved = path.join(repository, 'saved', '1');
  mkdirSync(path.join(saved, 'variables'), { recursive: true });
  writeFileSync(path.join(saved, 'saved_model.pb'), Buffer.from([0x08, 0x01]));

  // A string graph (Placeholder -> Identity), for BYTES and TF Serving's b64.
  const echo = path.join(repository, 'echo', '1');
  mkdirSync(echo, { recursive: true });
  writeFileSync(path.join(echo, 'model.json'), JSON.stringify({
    format: 'graph-model',
    modelTopology: {
      node: [
        { name: 'text', op: 'Placeholder', attr: { dtype: { type: 'DT_STRING' }, shape: { shape: { dim: [{ size: '-1' }] } } } },
        { name: 'echo', op: 'Identity', input: ['text'], attr: { T: { type: 'DT_STRING' } } },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [],
  }));

  server = await startGateway({ modelRepository: repository, strictReadiness: false });
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** What tfjs computes directly from the committed files, on the WASM backend, in this thread. */
async function direct(): Promise<{ probabilities: number[]; graphProbabilities: number[]; label: number[] }> {
  await tf.setBackend('wasm');
  const load = (dir: string) => {
    const json = graphJson(dir);
    const weights = readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
    return tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer, format: json.format });
  };
  const layers = await loadLayersModel(load(path.join(SAMPLE_REPOSITORY, 'iris_tfjs/1')));
  const graph = await loadGraphModel(load(path.join(TFJS_FIXTURES, 'iris_graph/1')));
  const probabilities = [...tf.tidy(() => (layers.predict(tf.tensor2d(ROWS)) as tf.Tensor).dataSync())];
  const [p, l] = tf.tidy(() => (graph.execute({ input: tf.tensor2d(ROWS) }, ['probabilities', 'label']) as tf.Tensor[]).map((t) => [...t.dataSync()]));
  layers.dispose();
  graph.dispose();
  return { probabilities, graphProbabilities: p!, label: l! };
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  // Same backend and kernels: equal up to float32 rounding of the JSON text.
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= 1e-6, `${what}[${i}]: ${a} vs ${expected[i]}`));
}

const infer = (model: string, rows = ROWS) =>
  postJson(`${server.url}/v2/models/${model}/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 4], data: rows.flat() }] });

test('metadata: platform (configured or detected), the tfjs runtime and the backend in use', async () => {
  const layers = await getJson(`${server.url}/v2/models/iris_tfjs`);
  assert.equal(layers.status, 200, JSON.stringify(layers.body));
  assert.equal(layers.body.platform, 'tfjs_layers_model');
  assert.deepEqual(layers.body.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
  assert.deepEqual(layers.body.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }]);
  const manifest = layers.body.parameters.manifest;
  assert.equal(manifest.runtime, 'tfjs');
  assert.equal(manifest.runtimeVersion, tf.version_core);
  assert.equal(manifest.executionProvider, BACKEND);
  const served = server.gateway.registry.resolve('iris_tfjs');
  if (!nativeInstalled) assert.match(served.placementWarnings.join('\n'), /@tensorflow\/tfjs-node: not installed; running on wasm/);
  assert.deepEqual(manifest.files.map((f: { path: string }) => f.path).sort(),
    ['MODEL_CARD.md', 'config.yaml', 'expected.json', 'group1-shard1of1.bin', 'model.json', 'reference.json', 'training-data.csv'].filter((f) => f !== 'config.yaml'));

  const graph = await getJson(`${server.url}/v2/models/iris_graph`);
  assert.equal(graph.body.platform, 'tfjs_graph_model');
  assert.deepEqual(graph.body.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, -1] }, { name: 'label', datatype: 'INT32', shape: [-1] }]);

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`^modelgate_model_info\\{model="iris_tfjs",version="1",platform="tfjs_layers_model",runtime="tfjs",runtime_version="${tf.version_core.replace(/\./g, '\\.')}",execution_provider="${BACKEND}",artifact_sha256="[0-9a-f]{64}"\\} 1$`, 'm'));
});

test('v2 predictions equal the same models run directly with tfjs', async () => {
  const expected = await direct();
  const layers = await infer('iris_tfjs');
  assert.equal(layers.status, 200, layers.text);
  assert.deepEqual(layers.body.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]), [['probabilities', [4, 3]]]);
  assertClose(layers.body.outputs[0].data, expected.probabilities, 'iris_tfjs probabilities');

  const graph = await infer('iris_graph');
  assert.equal(graph.status, 200, graph.text);
  const byName = Object.fromEntries(graph.body.outputs.map((o: { name: string }) => [o.name, o]));
  assertClose(byName.probabilities.data, expected.graphProbabilities, 'iris_graph probabilities');
  assert.deepEqual(byName.label, { name: 'label', datatype: 'INT32', shape: [4], data: expected.label });
  assert.deepEqual(expected.label, [0, 2, 1, 2]);
  // The graph carries the layers model's weights.
  assertClose(expected.graphProbabilities, expected.probabilities, 'graph vs layers');
});

test('TF Serving row and columnar predict equal v2 for TF models; b64 reaches a string graph', async () => {
  const v2 = await infer('iris_graph');
  const byName = Object.fromEntries(v2.body.outputs.map((o: { name: string; data: number[] }) => [o.name, o.data]));
  const rows = await postJson(`${server.url}/v1/models/iris_graph:predict`, { instances: ROWS });
  assert.equal(rows.status, 200, rows.text);
  assert.equal(rows.body.predictions.length, 4);
  rows.body.predictions.forEach((p: { probabilities: number[]; label: number }, i: number) => {
    assert.deepEqual(p.probabilities, byName.probabilities.slice(3 * i, 3 * i + 3));
    assert.equal(p.label, byName.label[i]);
  });
  const columns = await postJson(`${server.url}/v1/models/iris_graph:predict`, { inputs: { input: ROWS } });
  assert.equal(columns.status, 200, columns.text);
  assert.deepEqual(columns.body.outputs.label, byName.label);

  const single = await postJson(`${server.url}/v1/models/iris_tfjs:predict`, { instances: ROWS.slice(0, 2) });
  const v2Single = await infer('iris_tfjs', ROWS.slice(0, 2));
  assert.deepEqual(single.body.predictions.flat(), v2Single.body.outputs[0].data);

  const b64 = (s: string) => ({ b64: Buffer.from(s, 'utf8').toString('base64') });
  assert.equal(server.gateway.registry.model('echo').versions.get(1)?.reason, undefined);
  const echoed = await postJson(`${server.url}/v1/models/echo:predict`, { instances: [b64('héllo ✓'), 'plain', b64('')] });
  assert.equal(echoed.status, 200, echoed.text);
  assert.deepEqual(echoed.body, { predictions: ['héllo ✓', 'plain', ''] });
  const columnar = await postJson(`${server.url}/v1/models/echo:predict`, { inputs: [b64('a'), b64('b')] });
  assert.deepEqual(columnar.body, { outputs: ['a', 'b'] });
});

test('dynamic batching concatenates concurrent requests to a TF model into one run', async () => {
  const version = server.gateway.registry.resolve('iris_tfjs');
  const before = { batches: version.statistics.executionCount, requests: version.statistics.dispatchedRequests };
  const answers = await Promise.all(ROWS.map((row) => infer('iris_tfjs', [row])));
  const expected = await direct();
  answers.forEach((a, i) => {
    assert.equal(a.status, 200, a.text);
    assertClose(a.body.outputs[0].data, expected.probabilities.slice(3 * i, 3 * i + 3), `row ${i}`);
  });
  assert.equal(version.statistics.dispatchedRequests - before.requests, 4);
  assert.ok(version.statistics.executionCount - before.batches < 4, `${version.statistics.executionCount - before.batches} runs for 4 requests`);
});

test('drift monitoring runs for the TF model from its reference.json', async () => {
  for (let i = 0; i < 3; i += 1) assert.equal((await infer('iris_tfjs')).status, 200);
  const drift = await getJson(`${server.url}/v2/models/iris_tfjs/versions/1/drift`);
  assert.equal(drift.status, 200, JSON.stringify(drift.body));
  assert.deepEqual(drift.body.features.map((f: { name: string }) => f.name), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  assert.deepEqual(drift.body.outputs.map((f: { name: string }) => f.name), ['probabilities[0]', 'probabilities[1]', 'probabilities[2]']);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^modelgate_drift_status\{model="iris_tfjs",version="1",feature="petal_length"\} -?\d$/m);
});

test('weights escaping the version directory, a platform the model.json contradicts and a SavedModel without tfjs-node fail alone, with their reason', async () => {
  const reason = (model: string) => server.gateway.registry.model(model).versions.get(1)?.reason ?? server.gateway.registry.model(model).error;
  assert.match(reason('escape_dotdot')!, /weights path "\.\.\/\.\.\/\.\.\/outside\.bin" escapes the version directory/);
  assert.match(reason('escape_absolute')!, /is absolute or a URL; it must be relative to the version directory/);
  // A symlink out is refused twice over: by the version's file hashing (this message) and by the weights loader (runtimes/tfjs-io.test.ts).
  assert.match(reason('escape_symlink')!, /weights\.bin: a symlink that leads outside the version directory; refusing it/);
  for (const model of ['escape_dotdot', 'escape_absolute', 'escape_symlink', 'mislabeled']) {
    assert.equal((await getJson(`${server.url}/v2/models/${model}/ready`)).status, 400);
    assert.doesNotMatch(reason(model)!, new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no machine path in the reason');
  }
  assert.match(reason('mislabeled')!, /config\.yaml platform tfjs_layers_model, but model\.json is a graph-model \(platform tfjs_graph_model\)/);
  if (!nativeInstalled) {
    assert.match(reason('saved')!, /a SavedModel needs the native TensorFlow backend \(@tensorflow\/tfjs-node/);
  }
  // Its platform is detected from saved_model.pb even though it failed to load (an unavailable model has no metadata to ask).
  assert.equal(server.gateway.registry.model('saved').versions.get(1)?.platform, 'tensorflow_savedmodel');
  // The others serve.
  assert.equal((await infer('iris_tfjs')).status, 200);
  assert.equal((await infer('iris_graph')).status, 200);
});

test('the committed reference.json of iris_tfjs is reproduced from its training data by the tfjs runtime', async () => {
  const committed = JSON.parse(readFileSync(path.join(SAMPLE_REPOSITORY, 'iris_tfjs/1/reference.json'), 'utf8'));
  const { profile } = await profileTrainingData(SAMPLE_REPOSITORY, 'iris_tfjs', '1');
  assert.equal(profile.sampleSize, committed.sampleSize);
  assert.deepEqual(profile.features, committed.features);
  assert.deepEqual(profile.outputs.map((f) => f.name), committed.outputs.map((f: { name: string }) => f.name));
});
