import os from 'node:os';
import { probeGpus } from './gpu-devices.ts';
import { probeOnnxProviders } from './onnx-providers.ts';
import type { RuntimeName } from './registry.ts';
import { wantsGpu, type HostFacts, type InstanceGroup, type ProviderFacts } from './placement.ts';

/**
 * What placement needs to know about this host for a runtime. GPUs and GPU
 * providers are probed only when some group may want a GPU: a CPU-only config
 * never loads a GPU library or spawns nvidia-smi.
 */
export async function probeHost(runtime: RuntimeName, groups: readonly InstanceGroup[]): Promise<HostFacts> {
  const cores = os.availableParallelism();
  if (!wantsGpu(groups)) return { cores, gpus: 0, gpuNote: 'not probed: only cpu groups', providers: { gpu: [] } };
  const [gpus, providers] = await Promise.all([probeGpus(), gpuProviders(runtime)]);
  return { cores, gpus: gpus.visible, gpuNote: gpus.note, providers };
}

/**
 * ONNX checks its provider libraries here. TensorFlow.js finds out whether
 * tfjs-node-gpu loads when its session opens (runtimes/tfjs-backend.ts), and
 * runs on GPU 0 of the process only.
 */
function gpuProviders(runtime: RuntimeName): Promise<ProviderFacts> {
  if (runtime === 'onnxruntime') return probeOnnxProviders();
  return Promise.resolve({ gpu: ['cuda'], firstGpuOnly: true });
}
