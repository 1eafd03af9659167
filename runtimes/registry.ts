import type { Runtime } from './runtime.ts';
import { onnxRuntime } from './onnx.ts';
import { tfjsRuntime } from './tfjs.ts';

export type RuntimeName = 'onnxruntime' | 'tfjs';

/** Runtimes by the name a worker is told to open. */
export function runtimeByName(name: RuntimeName): Runtime {
  switch (name) {
    case 'onnxruntime':
      return onnxRuntime;
    case 'tfjs':
      return tfjsRuntime;
  }
}
