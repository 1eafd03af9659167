import * as ort from 'onnxruntime-node';
import type { LoadOptions, Runtime, RuntimeSession } from './runtime.ts';
import { protocolShape, type NamedTensors, type NumericArray, type TensorSpec } from './tensor.ts';
import { fromOrtType, toOrtType } from './onnx-types.ts';
import { explainProviderFailure, providerAttempts } from './onnx-provider-chain.ts';
import { providerLibraryPresent } from './onnx-providers.ts';

/**
 * The ONNX runtime: onnxruntime-node sessions on the execution providers
 * placement chose (TensorRT, CUDA, CPU). Each failed try is explained and the
 * next one tried (see onnx-provider-chain.ts); a session that ends up on a
 * lesser provider says why in `fallback`.
 */
export const onnxRuntime: Runtime = {
  name: 'onnxruntime',
  version: ort.env.versions.node ?? 'unknown',
  async load(options: LoadOptions): Promise<RuntimeSession> {
    const chosen = options.providers ?? (options.device === 'gpu' ? ['cuda'] : ['cpu']);
    const attempts = providerAttempts(chosen, options.cpuFallback ?? false);
    const device = `GPU ${options.deviceId ?? 0}`;
    const failures: string[] = [];
    for (const attempt of attempts) {
      try {
        const session = await ort.InferenceSession.create(options.modelPath, {
          executionProviders: attempt.map((name) => (name === 'cpu' ? 'cpu' : { name, deviceId: options.deviceId ?? 0 })),
          intraOpNumThreads: options.intraOpThreads,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          executionMode: 'sequential',
        });
        const provider = attempt[0] ?? 'cpu';
        const fallback = failures.length > 0 ? `${device}: ${failures.join('; ')}; opened ${provider === 'cpu' ? 'on the CPU' : `with ${provider}`}` : undefined;
        return new OnnxSession(session, provider, fallback);
      } catch (error) {
        // A session that fails on the CPU fails for the model's sake: its own message is the reason.
        if (attempt[0] === 'cpu') throw error;
        const reason = explainProviderFailure(attempt, error instanceof Error ? error.message : String(error), providerLibraryPresent);
        failures.push(`${attempt.join('+')}: ${reason}`);
      }
    }
    throw new Error(`could not open the session on ${device}: ${failures.join('; ')}`);
  },
};

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[], role: string): TensorSpec[] {
  return metadata.map((value) => {
    if (!value.isTensor) throw new Error(`${role} "${value.name}" is not a tensor (sequences and maps are not served)`);
    const datatype = fromOrtType(value.type);
    if (datatype === undefined) throw new Error(`${role} "${value.name}" has element type ${value.type}, which the protocol cannot carry`);
    return { name: value.name, datatype, shape: protocolShape(value.shape) };
  });
}

class OnnxSession implements RuntimeSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  constructor(private readonly session: ort.InferenceSession, readonly executionProvider: string, readonly fallback?: string) {
    this.inputs = describe(session.inputMetadata, 'input');
    this.outputs = describe(session.outputMetadata, 'output');
  }

  async run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor(toOrtType(tensor.datatype), tensor.data as NumericArray, tensor.shape);
    }
    const fetches = outputNames ?? this.session.outputNames;
    const results = await this.session.run(feeds, fetches);
    const outputs: NamedTensors = {};
    for (const name of fetches) {
      const value = results[name];
      if (value === undefined) throw new Error(`the model did not produce output "${name}"`);
      const datatype = fromOrtType(value.type);
      if (datatype === undefined) throw new Error(`output "${name}" has element type ${value.type}, which the protocol cannot carry`);
      outputs[name] = { datatype, shape: value.dims.slice(), data: value.data as NumericArray | string[] };
    }
    return outputs;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
