import { INSTALL_HINT, providerLibrary } from './onnx-providers.ts';
import type { GpuProvider, ProviderName } from './placement.ts';

/**
 * The execution-provider lists a session tries, in order, and what a failed
 * try means. onnxruntime-node opens a provider's library only when a session
 * asks for it, and then reports only "Failed to load shared library" (the
 * missing dependency goes to ORT's own log): the reasons here say which
 * libraries that provider needs.
 */

/**
 * [tensorrt, cuda] → [tensorrt+cuda], then [cuda] (TensorRT missing its runtime
 * must not cost the GPU), then [cpu] when the group allows it (kind auto).
 */
export function providerAttempts(providers: readonly ProviderName[], cpuFallback: boolean): ProviderName[][] {
  const attempts: ProviderName[][] = [];
  for (let i = 0; i < providers.length; i += 1) {
    const rest = providers.slice(i);
    if (rest[0] !== 'cpu') attempts.push(rest);
  }
  if (attempts.length === 0 || cpuFallback) attempts.push(['cpu']);
  return attempts;
}

const REQUIREMENTS: Record<GpuProvider, string> = {
  cuda: 'CUDA 12 (libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcufft.so.11) and cuDNN 9 (libcudnn.so.9) must be on the library path (LD_LIBRARY_PATH or ldconfig), with an NVIDIA driver for CUDA 12',
  tensorrt: 'TensorRT 10 (libnvinfer.so.10) and CUDA 12 must be on the library path',
};

/**
 * One failed try, in words. `installed` tells whether the provider's library
 * is beside the binding (a missing install reads differently from a missing CUDA).
 */
export function explainProviderFailure(attempt: readonly ProviderName[], message: string, installed: (provider: GpuProvider) => boolean): string {
  const provider = attempt[0];
  if (provider === undefined || provider === 'cpu') return message;
  if (!/failed to load (shared )?library|cannot open shared object/i.test(message)) return message;
  if (!installed(provider)) {
    return `the ${provider} execution provider is not installed (${providerLibrary(provider)} is not beside onnxruntime-node's binding): ${INSTALL_HINT}`;
  }
  return `the ${provider} execution provider could not be loaded: ${REQUIREMENTS[provider]}`;
}
