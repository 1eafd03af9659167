/**
 * The `slow` fixture: a deliberately expensive FP32 model for in-flight / cancellation
 * / queueing tests.
 *
 *   INPUT0 FP32 [batch, 16] -> OUTPUT0 FP32 [batch, 4]
 *
 * Per row, two projections of the input form an outer product H of size
 * ROWS x WIDTH, then LAYERS times H = tanh(H . W) with one seeded WIDTH x WIDTH weight
 * (shared, so the file stays ~400 KB), then a mean over rows and a projection to 4.
 * The cost is ~LAYERS * ROWS * WIDTH² multiply-adds per row (8.6 G), linear in batch:
 * about 100 ms per row on one core of the development machine.
 */
import ort from 'onnxruntime-node';
import { renderConfig } from './config-yaml.ts';
import { attr, ModelBuilder } from './onnx-builder.ts';
import { Prng } from './prng.ts';
import type { ModelArtifact } from './repository.ts';

const ROWS = 2048;
const WIDTH = 256;
const LAYERS = 64;
const SEED = 1234;

function slowGraph(): Uint8Array {
  const rng = new Prng(SEED);
  const b = new ModelBuilder('slow', `~${LAYERS} x ${ROWS}x${WIDTH}x${WIDTH} MatMuls per row, for in-flight request tests`);
  const x = b.input('INPUT0', 'FP32', ['batch', 16]);
  b.output('OUTPUT0', 'FP32', ['batch', 4]);
  const left = b.initializer('proj_rows', 'FP32', [16, ROWS], rng.normalArray(16 * ROWS, 0.25));
  const right = b.initializer('proj_cols', 'FP32', [16, WIDTH], rng.normalArray(16 * WIDTH, 0.25));
  const w = b.initializer('layer_weight', 'FP32', [WIDTH, WIDTH], rng.normalArray(WIDTH * WIDTH, 1.5 / Math.sqrt(WIDTH)));
  const head = b.initializer('head', 'FP32', [WIDTH, 4], rng.normalArray(WIDTH * 4, 1));
  const asColumn = b.initializer('as_column', 'INT64', [3], new BigInt64Array([0n, -1n, 1n])); // [b,n] -> [b,n,1]
  const asRow = b.initializer('as_row', 'INT64', [3], new BigInt64Array([0n, 1n, -1n])); // [b,n] -> [b,1,n]
  let h = b.op('Mul', [
    b.op('Reshape', [b.op('MatMul', [x, left]), asColumn]),
    b.op('Reshape', [b.op('MatMul', [x, right]), asRow]),
  ]); // [batch, ROWS, WIDTH]
  for (let i = 0; i < LAYERS; i++) h = b.op('Tanh', [b.op('MatMul', [h, w])]);
  const pooled = b.op('ReduceMean', [h], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [batch, WIDTH]
  b.op('MatMul', [pooled, head], {}, ['OUTPUT0']);
  return b.encode();
}

export function slowFixture(): ModelArtifact {
  return {
    name: 'slow',
    config: renderConfig(
      {
        name: 'slow',
        max_batch_size: 4,
        input: [{ name: 'INPUT0', datatype: 'FP32', dims: [16] }],
        output: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [4] }],
        instance_count: 1,
      },
      [
        `Deliberately slow: ~${((LAYERS * ROWS * WIDTH * WIDTH) / 1e9).toFixed(1)} G multiply-adds per row, linear in batch size;`,
        'about 100 ms per row on one core of the development machine. For in-flight request tests.',
      ],
    ),
    versions: [{
      dir: '1',
      onnx: slowGraph(),
      files: {},
      examples: [],
      notes: [],
      verify: async (session) => {
        const input = new ort.Tensor('float32', new Float32Array(16).fill(0.5), [1, 16]);
        await session.run({ INPUT0: input }); // warm-up
        const start = performance.now();
        const runs = 3;
        for (let i = 0; i < runs; i++) await session.run({ INPUT0: input });
        return `one row: ${((performance.now() - start) / runs).toFixed(1)} ms (1 intra-op thread)`;
      },
    }],
  };
}
