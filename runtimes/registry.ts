import type { Runtime } from './runtime.ts';
import { onnxRuntime } from './onnx.ts';

/** Runtimes by the name a worker is told to open. */
export function runtimeByName(name: 'onnxruntime'): Runtime {
  switch (name) {
    case 'onnxruntime':
      return onnxRuntime;
  }
}
