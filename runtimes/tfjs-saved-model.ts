import type * as tfCore from '@tensorflow/tfjs-core';
import type { RuntimeSession } from './runtime.ts';
import type { NamedTensors, TensorSpec } from './tensor.ts';
import type { Engine } from './tfjs-engine.ts';
import { asList, disposeAll, spec, TfjsSession, toTfTensor } from './tfjs-session.ts';
import { fromTensorflowDtype } from './tfjs-types.ts';

/** The parts of tfjs-node's TFSavedModel used here (the package is optional, so untyped). */
interface SavedModelInfo {
  name: string;
  dtype?: string;
  tfDtype?: string;
  shape?: readonly unknown[];
}
interface TFSavedModel {
  signature: { inputs: Record<string, SavedModelInfo>; outputs: Record<string, SavedModelInfo> };
  predict(inputs: tfCore.NamedTensorMap): tfCore.NamedTensorMap | tfCore.Tensor | tfCore.Tensor[];
  dispose(): void;
}

export async function loadSavedModel(engine: Engine, directory: string): Promise<RuntimeSession> {
  if (engine.backend.backend !== 'tensorflow') {
    throw new Error(
      `a SavedModel needs the native TensorFlow backend (@tensorflow/tfjs-node, or @tensorflow/tfjs-node-gpu for device gpu), but this worker runs "${engine.backend.executionProvider}"; install the native package or convert the model with tensorflowjs_converter`,
    );
  }
  // tfjs-node adds `node.loadSavedModel` to the tfjs namespace it exports.
  const specifier: string = engine.backend.package;
  const native = (await import(specifier)) as { node?: { loadSavedModel(path: string, tags?: string[], signature?: string): Promise<TFSavedModel> } };
  const loadFn = native.node?.loadSavedModel ?? (native as { default?: typeof native }).default?.node?.loadSavedModel;
  if (loadFn === undefined) throw new Error(`${engine.backend.package} does not provide node.loadSavedModel`);
  return new SavedModelSession(engine, await loadFn(directory, ['serve'], 'serving_default'));
}

/** A SavedModel's serving_default signature: inputs and outputs named by its keys. */
class SavedModelSession extends TfjsSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  constructor(engine: Engine, protected readonly model: TFSavedModel) {
    super(engine);
    const describe = (map: Record<string, SavedModelInfo>, role: string) =>
      Object.entries(map).map(([key, info]) => spec(key, info.tfDtype ?? info.dtype, info.shape?.map(dimSize), role, fromTensorflowDtype));
    this.inputs = describe(model.signature.inputs, 'input');
    this.outputs = describe(model.signature.outputs, 'output');
  }

  async run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const { tf } = this.engine;
    const names = this.requested(outputNames);
    const feeds = Object.fromEntries(this.inputs.map((s) => [s.name, toTfTensor(tf, s.name, inputs[s.name]!)]));
    let results: tfCore.Tensor[];
    try {
      const result = this.model.predict(feeds);
      if (result instanceof tf.Tensor || Array.isArray(result)) {
        results = this.pick(names, asList(result));
      } else {
        results = names.map((n) => result[n]!);
        disposeAll(tf, Object.entries(result).filter(([n]) => !names.includes(n)).map(([, t]) => t));
      }
    } finally {
      disposeAll(tf, Object.values(feeds));
    }
    return this.collect(names, results);
  }
}

/** tfjs-node reports signature dims as TensorShapeProto.Dim messages. */
function dimSize(dim: unknown): number {
  if (typeof dim === 'number') return dim;
  const size = (dim as { getSize?: () => unknown; size?: unknown })?.getSize?.() ?? (dim as { size?: unknown })?.size;
  const n = Number(size);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
