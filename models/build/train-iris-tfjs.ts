/**
 * iris_tfjs: the TensorFlow.js sample, a tfjs-layers MLP (4 -> 8 tanh -> 3 softmax)
 * trained with `model.fit` on tfjs's plain-JavaScript CPU backend: seeded initialisers,
 * full-batch, no shuffling, so a rebuild gives the same weight bytes.
 *
 * Training sees standardized features; the standardization is then folded into the
 * first layer (W' = W / std per input row, b' = b - (mean / std) · W), so the saved
 * model takes raw measurements in cm like the ONNX iris models.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { IrisSplit } from './iris-data.ts';
import { columnStats, standardize } from './numeric.ts';

export const HIDDEN = 8;
const CLASSES = 3;
const EPOCHS = 300;
const LEARNING_RATE = 0.05;
const SEEDS = { hidden: 41, output: 42 };

export const WEIGHTS_SHARD = 'group1-shard1of1.bin';

export interface TrainedTfjsIris {
  /** model.json and its one weight shard, as `model.save()` describes them. */
  modelJson: string;
  weights: Uint8Array;
  /** The folded parameters (raw-cm input), row-major float32, for the graph-model twin. */
  params: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array };
  architecture: string;
  training: string;
  /** Class probabilities of raw-cm rows, computed by the trained layers model. */
  predict(rows: readonly (readonly number[])[]): number[][];
}

/** Trains on the cpu backend and switches back to the backend that was active before. */
export async function trainIrisTfjs(split: IrisSplit): Promise<TrainedTfjsIris> {
  const previous = tf.engine().backendName;
  await tf.setBackend('cpu');
  try {
    return await train(split);
  } finally {
    if (previous !== null && previous !== undefined && previous !== 'cpu') await tf.setBackend(previous);
  }
}

async function train(split: IrisSplit): Promise<TrainedTfjsIris> {
  const stats = columnStats(split.train.map((r) => r.features));
  const input = tfl.input({ shape: [4], name: 'input' });
  const hidden = tfl.layers.dense({ units: HIDDEN, activation: 'tanh', name: 'hidden', kernelInitializer: tfl.initializers.glorotNormal({ seed: SEEDS.hidden }) });
  const output = tfl.layers.dense({ units: CLASSES, activation: 'softmax', name: 'probabilities', kernelInitializer: tfl.initializers.glorotNormal({ seed: SEEDS.output }) });
  const model = tfl.model({ name: 'iris_tfjs', inputs: input, outputs: output.apply(hidden.apply(input)) as tfl.SymbolicTensor });
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy' });

  const x = tf.tensor2d(standardize(split.train.map((r) => r.features), stats));
  const y = tf.oneHot(tf.tensor1d(split.train.map((r) => r.species), 'int32'), CLASSES);
  await model.fit(x, y, { epochs: EPOCHS, batchSize: split.train.length, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);

  // Fold the standardization into the hidden layer.
  const [kernel, bias] = hidden.getWeights().map((w) => w.arraySync()) as [number[][], number[]];
  const folded = kernel.map((row, j) => row.map((w) => w / stats.std[j]!));
  const foldedBias = bias.map((b, u) => b - kernel.reduce((s, row, j) => s + (stats.mean[j]! / stats.std[j]!) * row[u]!, 0));
  hidden.setWeights([tf.tensor2d(folded), tf.tensor1d(foldedBias)]);

  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  const artifacts = saved!;
  const modelJson = JSON.stringify({
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_SHARD], weights: artifacts.weightSpecs }],
  }, null, 1) + '\n';
  const [w1, b1, w2, b2] = model.getWeights().map((w) => Float32Array.from(w.dataSync())) as [Float32Array, Float32Array, Float32Array, Float32Array];

  return {
    modelJson,
    weights: new Uint8Array(artifacts.weightData as ArrayBuffer),
    params: { w1, b1, w2, b2 },
    architecture: `tfjs-layers MLP (4 raw features -> ${HIDDEN} tanh -> 3 softmax), standardization folded into the first layer`,
    training: `tfjs \`model.fit\` on the cpu backend: Adam (learning rate ${LEARNING_RATE}) on categorical cross-entropy, ${EPOCHS} full-batch epochs, no shuffling, Glorot-normal initialisers seeded ${SEEDS.hidden} and ${SEEDS.output}.`,
    predict: (rows) => tf.tidy(() => (model.predict(tf.tensor2d(rows.map((r) => [...r]), [rows.length, 4])) as tf.Tensor).arraySync() as number[][]),
  };
}
