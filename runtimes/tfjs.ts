import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfCore from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LoadOptions, Runtime, RuntimeSession } from './runtime.ts';
import type { DataType, NamedTensors, NumericArray, Tensor, TensorSpec } from './tensor.ts';
import { backendCandidates, chooseBackend, TFJS_BACKEND_ENV, type BackendCandidate, type BackendChoice } from './tfjs-backend.ts';
import { readModelJson } from './tfjs-io.ts';
import { modelJsonFormat, SAVED_MODEL_ARTIFACT } from './tfjs-format.ts';
import { fromTensorflowDtype, fromTfjsDtype, fromTfjsShape, toTfjsDtype } from './tfjs-types.ts';

/**
 * The TensorFlow.js runtime: graph models and layers models (model.json + weight shards)
 * on the backend tfjs-backend.ts picks, and SavedModels through tfjs-node's binding.
 *
 * tfjs is imported on the first load, not with this module: ONNX-only processes and
 * threads never pay for it. A thread has one tfjs engine, so the backend is chosen once
 * per thread (one worker = one session, so once per session in the pool).
 */
export const tfjsRuntime: Runtime = {
  name: 'tfjs',
  get version(): string {
    return tfjsVersion();
  },
  async load(options: LoadOptions): Promise<RuntimeSession> {
    if (options.device === 'gpu' && (options.deviceId ?? 0) !== 0) {
      // TensorFlow places ops itself on the GPUs the process sees; one thread cannot pick another.
      throw new Error(`TensorFlow.js runs on GPU 0 of those CUDA_VISIBLE_DEVICES shows; device id ${options.deviceId} cannot be chosen per model`);
    }
    const engine = await activate(options);
    if (path.basename(options.modelPath) === SAVED_MODEL_ARTIFACT) return loadSavedModel(engine, path.dirname(options.modelPath));
    const source = await readModelJson(options.modelPath);
    const format = modelJsonFormat(source.json);
    const handler = { load: () => engine.tf.io.getModelArtifactsForJSON(source.json, source.loadWeights) };
    if (format === 'graph-model') {
      const converter = await import('@tensorflow/tfjs-converter');
      return GraphSession.open(engine, await converter.loadGraphModel(handler));
    }
    if (format === 'layers-model') {
      const layers = await import('@tensorflow/tfjs-layers');
      return new LayersSession(engine, await layers.loadLayersModel(handler));
    }
    throw new Error('model.json is neither a graph model nor a layers model (its "format" and modelTopology say neither)');
  },
};

type Tf = typeof tfCore;

interface Engine {
  tf: Tf;
  backend: BackendCandidate;
  /** Why a better backend was passed over (e.g. tfjs-node not installed), for the load log. */
  fallback: string | undefined;
}

/** Per thread: the engine and the backend it runs, or the promise of them. */
let engine: { key: string; ready: Promise<Engine> } | undefined;

function activate(options: LoadOptions): Promise<Engine> {
  const forced = process.env[TFJS_BACKEND_ENV];
  const candidates = backendCandidates(options.device, forced, options.cpuFallback ?? false);
  const key = `${options.device}${options.cpuFallback === true ? '+cpu' : ''}/${forced ?? ''}`;
  if (engine !== undefined) {
    if (engine.key !== key) {
      return Promise.reject(new Error(`this thread already runs TensorFlow.js for ${engine.key}; it cannot also serve ${key}`));
    }
    return engine.ready;
  }
  const ready = (async (): Promise<Engine> => {
    const tf = await import('@tensorflow/tfjs-core');
    const choice: BackendChoice = await chooseBackend(candidates, async (candidate) => {
      await importBackend(candidate);
      if (!(await tf.setBackend(candidate.backend))) throw new Error(`backend "${candidate.backend}" failed to initialize`);
    });
    const fallback = choice.skipped.length === 0
      ? undefined
      : `${choice.skipped.map((s) => `${s.candidate.package}: ${s.reason}`).join('; ')}; running on ${choice.chosen.executionProvider}`;
    return { tf, backend: choice.chosen, fallback };
  })();
  engine = { key, ready };
  ready.catch(() => {
    if (engine?.ready === ready) engine = undefined;
  });
  return ready;
}

/** Imports the package that registers a backend; a missing native package says so plainly. */
async function importBackend(candidate: BackendCandidate): Promise<void> {
  try {
    // A variable specifier: the native packages are optional and may be absent (and untyped here).
    const specifier: string = candidate.package;
    await import(specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error('not installed');
    throw error;
  }
}

let cachedVersion: string | undefined;
function tfjsVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

function spec(name: string, dtype: string | undefined, shape: readonly (number | null | undefined)[] | undefined, role: string, convert = fromTfjsDtype): TensorSpec {
  const datatype = convert(dtype);
  if (datatype === undefined) throw new Error(`${role} "${name}" has dtype ${dtype ?? 'unknown'}, which the protocol cannot carry`);
  return { name, datatype, shape: shape === undefined ? [-1] : fromTfjsShape(shape) };
}

/** Input tensors for tfjs; the caller disposes them (or runs this inside tf.tidy). */
function toTfTensor(tf: Tf, name: string, tensor: Tensor): tfCore.Tensor {
  const dtype = toTfjsDtype(tensor.datatype);
  if (dtype === undefined) throw new Error(`input "${name}": TensorFlow.js has no ${tensor.datatype} tensors`);
  if (dtype === 'string') return tf.tensor(tensor.data as string[], tensor.shape, 'string');
  return tf.tensor(tensor.data as Float32Array | Int32Array | Uint8Array, tensor.shape, dtype);
}

const utf8 = new TextDecoder();

/** Copies one output out of tfjs (the tensor is disposed by the caller). */
async function fromTfTensor(name: string, tensor: tfCore.Tensor): Promise<Tensor> {
  const datatype: DataType | undefined = fromTfjsDtype(tensor.dtype);
  if (datatype === undefined) throw new Error(`output "${name}" has dtype ${tensor.dtype}, which the protocol cannot carry`);
  const data = await tensor.data();
  // tfjs decodes string tensors to JavaScript strings already when it can (UTF-8); raw bytes otherwise.
  const values = datatype === 'BYTES'
    ? Array.from(data as unknown as ArrayLike<string | Uint8Array>, (v) => (typeof v === 'string' ? v : utf8.decode(v)))
    : (data as NumericArray);
  return { datatype, shape: tensor.shape.slice(), data: values };
}

async function copyOut(names: readonly string[], tensors: readonly tfCore.Tensor[]): Promise<NamedTensors> {
  const outputs: NamedTensors = {};
  for (const [i, name] of names.entries()) outputs[name] = await fromTfTensor(name, tensors[i]!);
  return outputs;
}

function disposeAll(tf: Tf, tensors: Iterable<tfCore.Tensor>): void {
  tf.dispose([...tensors]);
}

abstract class TfjsSession implements RuntimeSession {
  abstract readonly inputs: TensorSpec[];
  abstract readonly outputs: TensorSpec[];
  readonly executionProvider: string;
  readonly fallback: string | undefined;

  constructor(protected readonly engine: Engine) {
    this.executionProvider = engine.backend.executionProvider;
    this.fallback = engine.fallback;
  }

  abstract run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors>;
  abstract dispose(): Promise<void>;

  protected requested(outputNames: readonly string[] | undefined): string[] {
    const names = outputNames === undefined ? this.outputs.map((o) => o.name) : [...outputNames];
    for (const name of names) {
      if (!this.outputs.some((o) => o.name === name)) throw new Error(`the model has no output "${name}"`);
    }
    return names;
  }
}

/**
 * A layers model: inputs and outputs are named as the model names its input and
 * output layers. All outputs are computed; the requested ones are returned.
 */
class LayersSession extends TfjsSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  constructor(engine: Engine, private readonly model: LayersModel) {
    super(engine);
    this.inputs = model.inputs.map((t, i) => spec(model.inputNames[i] ?? t.name, t.dtype, t.shape, 'input'));
    this.outputs = model.outputs.map((t, i) => spec(model.outputNames[i] ?? t.name, t.dtype, t.shape, 'output'));
  }

  async run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const { tf } = this.engine;
    const names = this.requested(outputNames);
    const all = tf.tidy(() => {
      const feeds = this.inputs.map((s) => toTfTensor(tf, s.name, inputs[s.name]!));
      const result = this.model.predict(feeds.length === 1 ? feeds[0]! : feeds);
      return Array.isArray(result) ? result : [result];
    });
    try {
      return await copyOut(names, names.map((n) => all[this.outputs.findIndex((o) => o.name === n)]!));
    } finally {
      disposeAll(tf, all);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/**
 * A graph model: inputs and outputs are named by the model's signature keys, or by
 * graph node names when it has no signature. Runs synchronously (inside tf.tidy)
 * unless the graph has control flow, which needs executeAsync.
 */
class GraphSession extends TfjsSession {
  private constructor(
    engine: Engine,
    private readonly model: GraphModel,
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
    try {
      return await copyOut(names, results);
    } finally {
      disposeAll(tf, results);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

function asList(result: tfCore.Tensor | tfCore.Tensor[]): tfCore.Tensor[] {
  return Array.isArray(result) ? result : [result];
}

function probeTensor(tf: Tf, s: TensorSpec): tfCore.Tensor {
  const shape = s.shape.map((d) => (d < 0 ? 1 : d));
  if (s.datatype === 'BYTES') return tf.tensor(new Array<string>(shape.reduce((a, b) => a * b, 1)).fill(''), shape, 'string');
  return tf.zeros(shape, toTfjsDtype(s.datatype) as 'float32' | 'int32' | 'bool');
}

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

async function loadSavedModel(engine: Engine, directory: string): Promise<RuntimeSession> {
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

  constructor(engine: Engine, private readonly model: TFSavedModel) {
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
        const list = asList(result);
        results = names.map((n) => list[this.outputs.findIndex((o) => o.name === n)]!);
        disposeAll(tf, list.filter((t) => !results.includes(t)));
      } else {
        results = names.map((n) => result[n]!);
        disposeAll(tf, Object.entries(result).filter(([n]) => !names.includes(n)).map(([, t]) => t));
      }
    } finally {
      disposeAll(tf, Object.values(feeds));
    }
    try {
      return await copyOut(names, results);
    } finally {
      disposeAll(tf, results);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/** tfjs-node reports signature dims as TensorShapeProto.Dim messages. */
function dimSize(dim: unknown): number {
  if (typeof dim === 'number') return dim;
  const size = (dim as { getSize?: () => unknown; size?: unknown })?.getSize?.() ?? (dim as { size?: unknown })?.size;
  const n = Number(size);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
