import type * as tfCore from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { elementCount, type NamedTensors, type TensorSpec } from './tensor.ts';
import type { Engine, Tf } from './tfjs-engine.ts';
import { asList, disposeAll, spec, TfjsSession, toTfTensor } from './tfjs-session.ts';
import { toTfjsDtype } from './tfjs-types.ts';

/**
 * A layers model: inputs and outputs are named as the model names its input and
 * output layers. All outputs are computed; the requested ones are returned.
 */
export class LayersSession extends TfjsSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  constructor(engine: Engine, protected readonly model: LayersModel) {
    super(engine);
    this.inputs = model.inputs.map((t, i) => spec(model.inputNames[i] ?? t.name, t.dtype, t.shape, 'input'));
    this.outputs = model.outputs.map((t, i) => spec(model.outputNames[i] ?? t.name, t.dtype, t.shape, 'output'));
  }

  async run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const { tf } = this.engine;
    const names = this.requested(outputNames);
    const all = tf.tidy(() => {
      const feeds = this.inputs.map((s) => toTfTensor(tf, s.name, inputs[s.name]!));
      return asList(this.model.predict(feeds.length === 1 ? feeds[0]! : feeds));
    });
    return this.collect(names, this.pick(names, all));
  }
}

/**
 * A graph model: inputs and outputs are named by the model's signature keys, or by
 * graph node names when it has no signature. Runs synchronously (inside tf.tidy)
 * unless the graph has control flow, which needs executeAsync.
 */
export class GraphSession extends TfjsSession {
  private constructor(
    engine: Engine,
    protected readonly model: GraphModel,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly dynamic: boolean,
  ) {
    super(engine);
  }

  static async open(engine: Engine, model: GraphModel): Promise<GraphSession> {
    const inputs = model.inputNodes.map((name, i) => spec(name, model.inputs[i]?.dtype, model.inputs[i]?.shape, 'input'));
    const declared = model.outputNodes.map((name, i) => ({ name, info: model.outputs[i] }));
    // Graph nodes rarely declare their output dtype and shape: one probe run with zeros
    // (variable dims as 1) tells the dtypes and ranks, and whether the graph needs executeAsync.
    const { tf } = engine;
    const feeds = Object.fromEntries(inputs.map((s) => [s.name, probeTensor(tf, s)]));
    let dynamic = false;
    let probe: tfCore.Tensor[];
    try {
      probe = asList(model.execute(feeds, declared.map((d) => d.name)));
    } catch (error) {
      if (!/executeAsync/.test(String((error as Error).message))) throw error;
      dynamic = true;
      probe = asList(await model.executeAsync(feeds, declared.map((d) => d.name)));
    } finally {
      disposeAll(tf, Object.values(feeds));
    }
    try {
      const outputs = declared.map(({ name, info }, i) => {
        const shape = info?.shape ?? probe[i]!.shape.map(() => -1);
        return spec(name, info?.dtype ?? probe[i]!.dtype, shape, 'output');
      });
      return new GraphSession(engine, model, inputs, outputs, dynamic);
    } finally {
      disposeAll(tf, probe);
    }
  }

  async run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const { tf } = this.engine;
    const names = this.requested(outputNames);
    let results: tfCore.Tensor[];
    if (this.dynamic) {
      const feeds = Object.fromEntries(this.inputs.map((s) => [s.name, toTfTensor(tf, s.name, inputs[s.name]!)]));
      try {
        results = asList(await this.model.executeAsync(feeds, names));
      } finally {
        disposeAll(tf, Object.values(feeds));
      }
    } else {
      results = tf.tidy(() => {
        const feeds = Object.fromEntries(this.inputs.map((s) => [s.name, toTfTensor(tf, s.name, inputs[s.name]!)]));
        return asList(this.model.execute(feeds, names));
      });
    }
    return this.collect(names, results);
  }
}

function probeTensor(tf: Tf, s: TensorSpec): tfCore.Tensor {
  const shape = s.shape.map((d) => (d < 0 ? 1 : d));
  if (s.datatype === 'BYTES') return tf.tensor(new Array<string>(elementCount(shape)).fill(''), shape, 'string');
  return tf.zeros(shape, toTfjsDtype(s.datatype) as 'float32' | 'int32' | 'bool');
}
