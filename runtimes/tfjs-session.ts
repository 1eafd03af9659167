import type * as tfCore from '@tensorflow/tfjs-core';
import type { RuntimeSession } from './runtime.ts';
import { protocolShape, type DataType, type NamedTensors, type NumericArray, type Tensor, type TensorSpec } from './tensor.ts';
import type { Engine, Tf } from './tfjs-engine.ts';
import { fromTfjsDtype, toTfjsDtype } from './tfjs-types.ts';

/**
 * What every TensorFlow.js session shares: tensors into and out of tfjs, and the
 * ownership rule that every tensor a run makes is disposed before it returns
 * (`tf.memory()` stays flat; runtimes/tfjs.test.ts holds it to that).
 */

export function spec(name: string, dtype: string | undefined, shape: readonly (number | null | undefined)[] | undefined, role: string, convert = fromTfjsDtype): TensorSpec {
  const datatype = convert(dtype);
  if (datatype === undefined) throw new Error(`${role} "${name}" has dtype ${dtype ?? 'unknown'}, which the protocol cannot carry`);
  return { name, datatype, shape: shape === undefined ? [-1] : protocolShape(shape) };
}

/** Input tensors for tfjs; the caller disposes them (or runs this inside tf.tidy). */
export function toTfTensor(tf: Tf, name: string, tensor: Tensor): tfCore.Tensor {
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

export function disposeAll(tf: Tf, tensors: Iterable<tfCore.Tensor>): void {
  tf.dispose([...tensors]);
}

export function asList(result: tfCore.Tensor | tfCore.Tensor[]): tfCore.Tensor[] {
  return Array.isArray(result) ? result : [result];
}

export abstract class TfjsSession implements RuntimeSession {
  abstract readonly inputs: TensorSpec[];
  abstract readonly outputs: TensorSpec[];
  readonly executionProvider: string;
  readonly fallback: string | undefined;

  constructor(protected readonly engine: Engine) {
    this.executionProvider = engine.backend.executionProvider;
    this.fallback = engine.fallback;
  }

  /** The loaded model; disposed with the session. */
  protected abstract readonly model: { dispose(): void };

  abstract run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors>;

  async dispose(): Promise<void> {
    this.model.dispose();
  }

  /** Copies the requested outputs out of tfjs, then disposes every result tensor. */
  protected async collect(names: readonly string[], results: readonly tfCore.Tensor[]): Promise<NamedTensors> {
    try {
      return await copyOut(names, results);
    } finally {
      disposeAll(this.engine.tf, results);
    }
  }

  /** The requested outputs of a result listed in `this.outputs` order; the other tensors are disposed. */
  protected pick(names: readonly string[], all: readonly tfCore.Tensor[]): tfCore.Tensor[] {
    const requested = names.map((n) => all[this.outputs.findIndex((o) => o.name === n)]!);
    disposeAll(this.engine.tf, all.filter((t) => !requested.includes(t)));
    return requested;
  }

  protected requested(outputNames: readonly string[] | undefined): string[] {
    const names = outputNames === undefined ? this.outputs.map((o) => o.name) : [...outputNames];
    for (const name of names) {
      if (!this.outputs.some((o) => o.name === name)) throw new Error(`the model has no output "${name}"`);
    }
    return names;
  }
}
