/**
 * A TensorFlow.js graph model written directly (model.json + one weight shard), the
 * format tensorflowjs_converter produces from a TensorFlow GraphDef: Placeholder nodes
 * are the inputs, Const nodes take their values from the weights manifest by name,
 * and nodes nothing consumes are the outputs.
 *
 * The iris MLP as a graph: `input` FP32 [batch, 4] -> MatMul/AddV2/Tanh ->
 * MatMul/AddV2 = logits -> `probabilities` (Softmax) and `label` (ArgMax, INT32).
 */
import type { TrainedTfjsIris } from './train-iris-tfjs.ts';

export const GRAPH_WEIGHTS = 'weights.bin';

type Dims = readonly number[];
const shape = (dims: Dims) => ({ dim: dims.map((d) => ({ size: String(d) })) });
const float = { type: 'DT_FLOAT' };

function constNode(name: string, dtype: 'DT_FLOAT' | 'DT_INT32', dims: Dims) {
  return { name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: shape(dims) } } } };
}

export function irisGraphModel(params: TrainedTfjsIris['params'], hidden: number): { modelJson: string; weights: Uint8Array } {
  const nodes = [
    { name: 'input', op: 'Placeholder', attr: { dtype: float, shape: { shape: shape([-1, 4]) } } },
    constNode('w1', 'DT_FLOAT', [4, hidden]),
    constNode('b1', 'DT_FLOAT', [hidden]),
    constNode('w2', 'DT_FLOAT', [hidden, 3]),
    constNode('b2', 'DT_FLOAT', [3]),
    constNode('axis', 'DT_INT32', []),
    { name: 'hidden/MatMul', op: 'MatMul', input: ['input', 'w1'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'hidden/add', op: 'AddV2', input: ['hidden/MatMul', 'b1'], attr: { T: float } },
    { name: 'hidden/Tanh', op: 'Tanh', input: ['hidden/add'], attr: { T: float } },
    { name: 'logits/MatMul', op: 'MatMul', input: ['hidden/Tanh', 'w2'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'logits', op: 'AddV2', input: ['logits/MatMul', 'b2'], attr: { T: float } },
    { name: 'probabilities', op: 'Softmax', input: ['logits'], attr: { T: float } },
    { name: 'label', op: 'ArgMax', input: ['logits', 'axis'], attr: { T: float, Tidx: { type: 'DT_INT32' }, output_type: { type: 'DT_INT32' } } },
  ];
  const weights = [
    { name: 'w1', shape: [4, hidden], dtype: 'float32', data: params.w1 },
    { name: 'b1', shape: [hidden], dtype: 'float32', data: params.b1 },
    { name: 'w2', shape: [hidden, 3], dtype: 'float32', data: params.w2 },
    { name: 'b2', shape: [3], dtype: 'float32', data: params.b2 },
    { name: 'axis', shape: [], dtype: 'int32', data: Int32Array.of(1) },
  ];
  const modelJson = JSON.stringify({
    format: 'graph-model',
    generatedBy: 'modelgate models/build',
    convertedBy: null,
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: [GRAPH_WEIGHTS], weights: weights.map(({ data: _, ...spec }) => spec) }],
  }, null, 1) + '\n';
  const bytes = Buffer.concat(weights.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
  return { modelJson, weights: new Uint8Array(bytes) };
}
