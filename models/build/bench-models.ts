/**
 * The benchmark repository (bench/models/): synthetic models with seeded weights, sized
 * for the benchmark harness rather than trained for accuracy. See bench/models/README.md.
 *
 *   mlp_heavy, mlp_heavy_nobatch  the same model.onnx; dynamic batching on / off.
 *     input FP32 [batch, 256] -> zero-pad to 768 -> 8 x (Gemm 768x768 + Relu) -> Gemm 768x16
 *     -> output FP32 [batch, 16]. The eight layers share one 768x768 weight (each has its
 *     own bias), so model.onnx stays ~2.4 MB while the work per row (~4.7 M multiply-adds)
 *     and the weight traffic per run are those of eight distinct layers. One row costs
 *     a few hundred microseconds on one core and is bound by streaming the weight from
 *     memory; larger batches reuse it, so rows/s grows several-fold with the batch size.
 *   image_large  image FP32 [batch, 3, 224, 224] -> 16x16/16 patch Conv to 16 channels + Relu
 *     -> GlobalAveragePool -> Flatten -> Gemm 16x10 -> logits FP32 [batch, 10]. ~2.4 M
 *     multiply-adds per image: cheap next to decoding its 602 KB of FP32 input, for
 *     comparing JSON with binary request bodies.
 *
 * The tabular_small case of the benchmark uses the iris sample model (models/iris).
 */
import ort from 'onnxruntime-node';
import { renderConfig, type ModelConfig } from './config-yaml.ts';
import type { Example } from './expected.ts';
import { attr, ModelBuilder } from './onnx-builder.ts';
import { Prng } from './prng.ts';
import type { ModelArtifact, VersionArtifact } from './repository.ts';

export const MLP_FEATURES = 256;
export const MLP_WIDTH = 768;
export const MLP_LAYERS = 8;
export const MLP_OUTPUTS = 16;
const MLP_SEED = 20251;

export const IMAGE_SIZE = 224;
const IMAGE_CHANNELS = 3;
const PATCH = 16;
const IMAGE_FILTERS = 16;
const IMAGE_CLASSES = 10;
const IMAGE_SEED = 20252;

/** Multiply-adds per row of mlp_heavy (the padded first layer counts as a full one). */
export const MLP_MACS_PER_ROW = MLP_LAYERS * MLP_WIDTH * MLP_WIDTH + MLP_WIDTH * MLP_OUTPUTS;

export function mlpHeavyGraph(): Uint8Array {
  const rng = new Prng(MLP_SEED);
  const b = new ModelBuilder(
    'mlp_heavy',
    `Synthetic MLP: ${MLP_FEATURES} features zero-padded to ${MLP_WIDTH}, ${MLP_LAYERS} Gemm+Relu layers sharing one seeded ${MLP_WIDTH}x${MLP_WIDTH} weight, then ${MLP_OUTPUTS} outputs`,
  );
  const x = b.input('input', 'FP32', ['batch', MLP_FEATURES]);
  b.output('output', 'FP32', ['batch', MLP_OUTPUTS]);
  // He-style scale, slightly damped: the same matrix is applied eight times, so its
  // largest singular values would otherwise compound from layer to layer.
  const weight = b.initializer('shared_weight', 'FP32', [MLP_WIDTH, MLP_WIDTH], rng.normalArray(MLP_WIDTH * MLP_WIDTH, 1.2 / Math.sqrt(MLP_WIDTH)));
  const pads = b.initializer('pads', 'INT64', [4], new BigInt64Array([0n, 0n, 0n, BigInt(MLP_WIDTH - MLP_FEATURES)]));
  let h = b.op('Pad', [x, pads]); // [batch, WIDTH]: the first layer sees the features then zeros
  for (let i = 0; i < MLP_LAYERS; i++) {
    const bias = b.initializer(`bias_${i}`, 'FP32', [MLP_WIDTH], rng.normalArray(MLP_WIDTH, 0.05));
    h = b.op('Relu', [b.op('Gemm', [h, weight, bias])]);
  }
  const head = b.initializer('head_weight', 'FP32', [MLP_WIDTH, MLP_OUTPUTS], rng.normalArray(MLP_WIDTH * MLP_OUTPUTS, 1 / Math.sqrt(MLP_WIDTH)));
  const headBias = b.initializer('head_bias', 'FP32', [MLP_OUTPUTS], rng.normalArray(MLP_OUTPUTS, 0.05));
  b.op('Gemm', [h, head, headBias], {}, ['output']);
  return b.encode();
}

export function imageLargeGraph(): Uint8Array {
  const rng = new Prng(IMAGE_SEED);
  const b = new ModelBuilder(
    'image_large',
    `Large-input classifier: ${PATCH}x${PATCH} stride-${PATCH} patch Conv to ${IMAGE_FILTERS} channels, Relu, global average pool, Gemm to ${IMAGE_CLASSES} logits`,
  );
  const image = b.input('image', 'FP32', ['batch', IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE]);
  b.output('logits', 'FP32', ['batch', IMAGE_CLASSES]);
  const fanIn = IMAGE_CHANNELS * PATCH * PATCH;
  const kernel = b.initializer('patch_kernel', 'FP32', [IMAGE_FILTERS, IMAGE_CHANNELS, PATCH, PATCH], rng.normalArray(IMAGE_FILTERS * fanIn, 1 / Math.sqrt(fanIn)));
  const kernelBias = b.initializer('patch_bias', 'FP32', [IMAGE_FILTERS], rng.normalArray(IMAGE_FILTERS, 0.1));
  const conv = b.op('Conv', [image, kernel, kernelBias], {
    kernel_shape: attr.ints([PATCH, PATCH]),
    strides: attr.ints([PATCH, PATCH]),
  }); // [batch, FILTERS, 14, 14]
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Relu', [conv])])], { axis: attr.int(1) }); // [batch, FILTERS]
  const head = b.initializer('head_weight', 'FP32', [IMAGE_FILTERS, IMAGE_CLASSES], rng.normalArray(IMAGE_FILTERS * IMAGE_CLASSES, 1 / Math.sqrt(IMAGE_FILTERS)));
  const headBias = b.initializer('head_bias', 'FP32', [IMAGE_CLASSES], rng.normalArray(IMAGE_CLASSES, 0.1));
  b.op('Gemm', [pooled, head, headBias], {}, ['logits']);
  return b.encode();
}

/** One example row for mlp_heavy: seeded N(0, 1) features rounded to 3 decimals (short JSON). */
export function mlpExampleRow(): number[] {
  const rng = new Prng(MLP_SEED + 1);
  return Array.from({ length: MLP_FEATURES }, () => Math.round(rng.normal() * 1000) / 1000);
}

/**
 * One example image for image_large: pixel (c, y, x) = (c + y + x) mod 10, small integers
 * so the JSON stays near 3 bytes per pixel (~450 KB for the 150,528 values).
 */
export function imageExample(): number[] {
  const data: number[] = [];
  for (let c = 0; c < IMAGE_CHANNELS; c++) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) data.push((c + y + x) % 10);
    }
  }
  return data;
}

/** Median milliseconds per run of `input` at each batch size (the session's own thread settings). */
export async function timeBatches(
  session: ort.InferenceSession,
  inputName: string,
  rowShape: readonly number[],
  batches: readonly number[],
  budgetMs = 300,
): Promise<Array<{ batch: number; ms: number }>> {
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out: Array<{ batch: number; ms: number }> = [];
  for (const batch of batches) {
    const data = new Float32Array(batch * rowSize);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37);
    const feeds = { [inputName]: new ort.Tensor('float32', data, [batch, ...rowShape]) };
    for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up
    const times: number[] = [];
    const until = performance.now() + budgetMs;
    while (times.length < 5 || (performance.now() < until && times.length < 2000)) {
      const start = performance.now();
      await session.run(feeds);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    out.push({ batch, ms: times[Math.floor(times.length / 2)]! });
  }
  return out;
}

function formatTimings(timings: ReadonlyArray<{ batch: number; ms: number }>): string {
  return timings.map(({ batch, ms }) => `batch ${batch}: ${ms.toFixed(3)} ms, ${Math.round((batch * 1000) / ms)} rows/s`).join('; ');
}

function mlpConfig(name: string, batching: boolean): string {
  const config: ModelConfig = {
    name,
    max_batch_size: 64,
    input: [{ name: 'input', datatype: 'FP32', dims: [MLP_FEATURES] }],
    output: [{ name: 'output', datatype: 'FP32', dims: [MLP_OUTPUTS] }],
    instance_count: 2,
  };
  if (batching) config.dynamic_batching = { max_queue_delay_microseconds: 500, max_queue_size: 4096 };
  const comment = [
    `Benchmark model (bench/models/README.md): ${(MLP_MACS_PER_ROW / 1e6).toFixed(1)} M multiply-adds per row, ${MLP_LAYERS} Gemm+Relu layers`,
    `of ${MLP_WIDTH}x${MLP_WIDTH} sharing one seeded weight. Same model.onnx as ${batching ? 'mlp_heavy_nobatch' : 'mlp_heavy'};`,
    batching ? 'this one batches requests dynamically.' : 'this one has no dynamic_batching: every request runs alone.',
  ];
  return renderConfig(config, comment);
}

function mlpVersion(onnx: Uint8Array, timed: boolean): VersionArtifact {
  const example: Example = {
    description: 'one row of seeded features',
    inputs: [{ name: 'input', shape: [1, MLP_FEATURES], datatype: 'FP32', data: mlpExampleRow() }],
  };
  const version: VersionArtifact = { dir: '1', onnx, files: {}, examples: [example], notes: [] };
  if (timed) {
    version.verify = async (session) => `${formatTimings(await timeBatches(session, 'input', [MLP_FEATURES], [1, 32]))} (1 intra-op thread)`;
  }
  return version;
}

export function mlpHeavyModels(): ModelArtifact[] {
  const onnx = mlpHeavyGraph();
  return [
    { name: 'mlp_heavy', config: mlpConfig('mlp_heavy', true), versions: [mlpVersion(onnx, true)] },
    { name: 'mlp_heavy_nobatch', config: mlpConfig('mlp_heavy_nobatch', false), versions: [mlpVersion(onnx, false)] },
  ];
}

export function imageLargeModel(): ModelArtifact {
  const config = renderConfig(
    {
      name: 'image_large',
      max_batch_size: 8,
      input: [{ name: 'image', datatype: 'FP32', dims: [IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE] }],
      output: [{ name: 'logits', datatype: 'FP32', dims: [IMAGE_CLASSES] }],
      dynamic_batching: { max_queue_delay_microseconds: 0 },
    },
    [
      'Benchmark model (bench/models/README.md): a 602 KB FP32 input and little compute, for',
      'comparing JSON with binary request bodies. Batches whatever is queued, without waiting.',
    ],
  );
  const example: Example = {
    description: 'one synthetic image, pixel (c, y, x) = (c + y + x) mod 10',
    inputs: [{ name: 'image', shape: [1, IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE], datatype: 'FP32', data: imageExample() }],
  };
  const version: VersionArtifact = {
    dir: '1',
    onnx: imageLargeGraph(),
    files: {},
    examples: [example],
    notes: [],
    verify: async (session) =>
      `${formatTimings(await timeBatches(session, 'image', [IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE], [1, 8]))} (1 intra-op thread)`,
  };
  return { name: 'image_large', config, versions: [version] };
}

/** The benchmark repository, bench/models/. */
export function benchModels(): ModelArtifact[] {
  return [...mlpHeavyModels(), imageLargeModel()];
}
