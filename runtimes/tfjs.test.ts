/**
 * The TensorFlow.js runtime in this thread, on the WASM backend (pinned, so the test
 * means the same where tfjs-node is installed): the committed iris_tfjs layers model and
 * iris_graph graph model give exactly what tfjs computes directly from the same files,
 * no tensor outlives a run, and a SavedModel without the native backend is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { TFJS_BACKEND_ENV } from './tfjs-backend.ts';
import { tfjsRuntime } from './tfjs.ts';
import type { RuntimeSession } from './runtime.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const LAYERS = path.join(ROOT, 'models/iris_tfjs/1/model.json');
const GRAPH = path.join(ROOT, 'test/fixtures/tfjs-models/iris_graph/1/model.json');

const ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]];
const input = () => ({ input: { datatype: 'FP32' as const, shape: [3, 4], data: Float32Array.from(ROWS.flat()) } });

let layers: RuntimeSession;
let graph: RuntimeSession;
let scratch: string;
before(async () => {
  process.env[TFJS_BACKEND_ENV] = 'wasm';
  layers = await tfjsRuntime.load({ modelPath: LAYERS, device: 'cpu', intraOpThreads: 1 });
  graph = await tfjsRuntime.load({ modelPath: GRAPH, device: 'cpu', intraOpThreads: 1 });
  scratch = mkdtempSync(path.join(tmpdir(), 'modelgate-tfjs-'));
});
after(async () => {
  await layers.dispose();
  await graph.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** The model.json artifacts as tfjs reads them from memory: the direct path, without our IO handler. */
function fromFiles(modelJson: string): tf.io.IOHandler {
  const json = JSON.parse(readFileSync(modelJson, 'utf8'));
  const group = json.weightsManifest[0];
  const weights = Buffer.concat(group.paths.map((p: string) => readFileSync(path.join(path.dirname(modelJson), p))));
  return tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: new Uint8Array(weights).buffer, format: json.format });
}

test('runtime metadata: tfjs version, the WASM backend, names, datatypes and -1 for variable dims', () => {
  assert.equal(tfjsRuntime.name, 'tfjs');
  assert.equal(tfjsRuntime.version, tf.version_core);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(layers.executionProvider, 'wasm');
  assert.equal(layers.fallback, undefined, 'a pinned backend is no fallback');
  assert.deepEqual(layers.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
  assert.deepEqual(layers.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }]);
  assert.deepEqual(graph.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
  assert.deepEqual(graph.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, -1] }, { name: 'label', datatype: 'INT32', shape: [-1] }]);
});

test('layers and graph sessions equal tfjs run directly on the same files and inputs', async () => {
  const direct = await loadLayersModel(fromFiles(LAYERS));
  const expected = tf.tidy(() => (direct.predict(tf.tensor2d(ROWS)) as tf.Tensor).dataSync());
  direct.dispose();
  const served = await layers.run(input());
  assert.deepEqual(served.probabilities!.shape, [3, 3]);
  assert.deepEqual([...(served.probabilities!.data as Float32Array)], [...expected]);

  const directGraph = await loadGraphModel(fromFiles(GRAPH));
  const [probs, label] = tf.tidy(() => (directGraph.execute({ input: tf.tensor2d(ROWS) }, ['probabilities', 'label']) as tf.Tensor[]).map((t) => t.dataSync()));
  directGraph.dispose();
  const both = await graph.run(input());
  assert.deepEqual([...(both.probabilities!.data as Float32Array)], [...probs!]);
  assert.ok(both.label!.data instanceof Int32Array);
  assert.deepEqual([...(both.label!.data as Int32Array)], [...label!]);
  assert.deepEqual([...label!], [0, 2, 1]);
  // The graph carries the layers model's weights: the same probabilities.
  assert.deepEqual([...(both.probabilities!.data as Float32Array)].map((v) => v.toFixed(5)), [...expected].map((v) => v.toFixed(5)));
  // Only the requested outputs come back.
  assert.deepEqual(Object.keys(await graph.run(input(), ['label'])), ['label']);
  await assert.rejects(graph.run(input(), ['nope']), /the model has no output "nope"/);
});

test('no tensor outlives a run: tf.memory() stays flat over 10,000 runs of each session', async () => {
  await layers.run(input());
  await graph.run(input());
  const start = tf.memory().numTensors;
  for (let i = 0; i < 10_000; i += 1) {
    await layers.run(input());
    await graph.run(input(), i % 2 === 0 ? ['label'] : undefined);
  }
  assert.equal(tf.memory().numTensors, start);
  // A failing run leaks nothing either.
  await assert.rejects(layers.run({ input: { datatype: 'FP32', shape: [1, 5], data: new Float32Array(5) } }));
  assert.equal(tf.memory().numTensors, start);
});

test('a SavedModel without the native backend fails to load, saying what it needs', async () => {
  const dir = path.join(scratch, 'saved', '1');
  mkdirSync(path.join(dir, 'variables'), { recursive: true });
  writeFileSync(path.join(dir, 'saved_model.pb'), Buffer.from([0x08, 0x01]));
  await assert.rejects(
    tfjsRuntime.load({ modelPath: path.join(dir, 'saved_model.pb'), device: 'cpu', intraOpThreads: 1 }),
    /a SavedModel needs the native TensorFlow backend \(@tensorflow\/tfjs-node, or @tensorflow\/tfjs-node-gpu for device gpu\), but this worker runs "wasm"/,
  );
});

test('a thread runs one backend: a gpu load after CPU ones is refused, not silently run on the CPU', async () => {
  await assert.rejects(tfjsRuntime.load({ modelPath: LAYERS, device: 'gpu', intraOpThreads: 1 }), /MODELGATE_TFJS_BACKEND=wasm cannot serve a model on device gpu/);
  delete process.env[TFJS_BACKEND_ENV];
  try {
    await assert.rejects(tfjsRuntime.load({ modelPath: LAYERS, device: 'gpu', intraOpThreads: 1 }), /this thread already runs TensorFlow\.js for cpu\/wasm; it cannot also serve gpu\//);
  } finally {
    process.env[TFJS_BACKEND_ENV] = 'wasm';
  }
});
