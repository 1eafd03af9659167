import type { LoadOptions } from './runtime.ts';
import type { RuntimeName } from './registry.ts';
import type { NamedTensors, TensorSpec } from './tensor.ts';

/**
 * The plain, typed protocol between a pool and its workers (the piscina habit).
 * Tensor buffers in both directions are transferred, never copied.
 */

/** Passed once as piscina `workerData`: which runtime to open and how. */
export interface WorkerInit {
  runtime: RuntimeName;
  load: LoadOptions;
}

export type WorkerRequest =
  | { kind: 'infer'; inputs: NamedTensors; outputs?: readonly string[] }
  /** Answers once the worker's session is open: used to know every worker loaded. */
  | { kind: 'ping' };

export type WorkerResponse =
  | { kind: 'infer'; outputs: NamedTensors }
  | { kind: 'pong'; runtime: string; runtimeVersion: string; executionProvider: string; fallback?: string | undefined; inputs: TensorSpec[]; outputs: TensorSpec[] };
