import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GpuProvider, ProviderFacts } from './placement.ts';

/**
 * Which GPU execution providers onnxruntime-node can open on this host.
 *
 * The binding's `listSupportedBackends()` names the providers it was built with;
 * `bundled: false` marks those whose library is not in the npm package (on
 * linux/x64: cuda and tensorrt, downloaded by its install script with
 * `ONNXRUNTIME_NODE_INSTALL=cuda12`). Such a provider is usable only when its
 * library lies beside the binding. TensorRT also needs NVIDIA's TensorRT runtime
 * (libnvinfer) on the library path. What the libraries need in turn (CUDA 12,
 * cuDNN 9) only shows when a session opens: see onnx.ts for that failure.
 */

export const INSTALL_HINT = 'install it with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci (README, "GPU")';

export interface OrtBackend {
  name: string;
  bundled: boolean;
}

export interface OrtHost {
  /** What `listSupportedBackends()` answered. */
  backends: readonly OrtBackend[];
  /** Whether a provider library lies beside the binding. */
  hasLibrary(name: string): boolean;
  /** Whether NVIDIA's TensorRT runtime (libnvinfer) is on the library path. */
  tensorRtRuntime: boolean;
  /** `linux/x64`, for messages. */
  platform: string;
}

/** The provider library's file name, as onnxruntime-node's install script places it. */
export function providerLibrary(provider: string, platform = process.platform): string {
  return platform === 'win32' ? `onnxruntime_providers_${provider}.dll` : `libonnxruntime_providers_${provider}.so`;
}

function installed(host: OrtHost, provider: GpuProvider): boolean {
  const backend = host.backends.find((b) => b.name === provider);
  return backend !== undefined && (backend.bundled || (host.hasLibrary(providerLibrary(provider)) && host.hasLibrary(providerLibrary('shared'))));
}

/** Pure: the usable GPU providers, best first, or why CUDA is missing. */
export function onnxProviderFacts(host: OrtHost): ProviderFacts {
  if (!host.backends.some((b) => b.name === 'cuda')) {
    return { gpu: [], cudaMissing: `onnxruntime-node for ${host.platform} has no CUDA execution provider (it has ${host.backends.map((b) => b.name).join(', ')}); NVIDIA GPUs need linux/x64` };
  }
  if (!installed(host, 'cuda')) {
    return { gpu: [], cudaMissing: `onnxruntime-node's CUDA execution provider is not installed (${providerLibrary('cuda')} is not beside its binding): ${INSTALL_HINT}` };
  }
  return { gpu: installed(host, 'tensorrt') && host.tensorRtRuntime ? ['tensorrt', 'cuda'] : ['cuda'] };
}

/** Directories the dynamic loader searches: LD_LIBRARY_PATH, then its cache (`ldconfig -p`). */
async function hasSharedLibrary(prefix: string): Promise<boolean> {
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    try {
      if (readdirSync(dir).some((f) => f.startsWith(prefix))) return true;
    } catch {
      // a missing directory on the path is not an error
    }
  }
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig']) {
    try {
      const { stdout } = await promisify(execFile)(ldconfig, ['-p'], { timeout: 5000, maxBuffer: 16 * 1024 * 1024 });
      return stdout.split('\n').some((line) => line.trim().startsWith(prefix));
    } catch {
      // not on PATH as a user: try the next one
    }
  }
  return false;
}

let probed: Promise<ProviderFacts> | undefined;

/** Probed once per process; loads onnxruntime-node in this thread (only done when a group may want a GPU). */
export function probeOnnxProviders(): Promise<ProviderFacts> {
  probed ??= (async () => {
    const ort = await import('onnxruntime-node');
    return onnxProviderFacts({
      backends: ort.listSupportedBackends(),
      hasLibrary: (name) => existsSync(path.join(bindingDirectory(), name)),
      tensorRtRuntime: await hasSharedLibrary('libnvinfer.so'),
      platform: `${process.platform}/${process.arch}`,
    });
  })();
  return probed;
}

/** Where onnxruntime-node keeps its binding and the provider libraries its install script adds. */
function bindingDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether a provider's libraries are installed: tells a missing install from missing CUDA libraries when a session fails. */
export function providerLibraryPresent(provider: GpuProvider): boolean {
  return [providerLibrary(provider), providerLibrary('shared')].every((name) => existsSync(path.join(bindingDirectory(), name)));
}
