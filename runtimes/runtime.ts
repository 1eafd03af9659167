import type { NamedTensors, TensorSpec } from './tensor.ts';
import type { ProviderName } from './placement.ts';

/**
 * A runtime turns a model artifact into sessions. The shape follows
 * onnxruntime-web's backend: `load()` returns a session with its input/output
 * metadata, `run()` and `dispose()`.
 *
 * One session lives in one worker thread; the main thread only opens a session
 * to read metadata (and disposes it right away).
 */
export interface Runtime {
  /** Stable identifier used in config and metrics, e.g. "onnxruntime". */
  readonly name: string;
  /** Version of the underlying library, recorded in model metadata. */
  readonly version: string;
  load(options: LoadOptions): Promise<RuntimeSession>;
}

export type Device = 'cpu' | 'gpu';

export interface LoadOptions {
  /** Absolute path of the model artifact (already checked to lie inside the repository). */
  modelPath: string;
  device: Device;
  /** GPU ordinal when device is gpu. */
  deviceId?: number | undefined;
  /** Intra-op threads of this session; the pool picks it so workers × threads ≤ cores. */
  intraOpThreads: number;
  /**
   * Execution providers to open the session with, best first, as placement chose
   * them (runtimes/placement.ts). A runtime that has no such choice ignores it;
   * ONNX defaults to the device's (cuda or cpu).
   */
  providers?: readonly ProviderName[] | undefined;
  /** kind auto: when the session cannot open on the GPU, open it on the CPU (and say why in `fallback`). */
  cpuFallback?: boolean | undefined;
}

export interface RuntimeSession {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Execution provider actually in use, e.g. "cpu". */
  readonly executionProvider: string;
  /** Why the session runs on a lesser provider than placement chose (e.g. kind auto on the CPU). */
  readonly fallback?: string | undefined;
  /**
   * Runs one inference. `inputs` holds every declared input with a concrete shape;
   * `outputNames` restricts what is computed (all outputs when omitted).
   */
  run(inputs: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors>;
  dispose(): Promise<void>;
}
