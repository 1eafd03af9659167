import type { Device } from './runtime.ts';

/**
 * Which TensorFlow.js backend a worker runs, decided over "which packages load":
 *
 * - device gpu: `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA) and nothing else;
 *   a GPU model never silently runs on the CPU, unless placement allows a CPU fallback
 *   (instance_group kind auto): then the CPU candidates follow.
 * - device cpu: `@tensorflow/tfjs-node` (libtensorflow), else the WASM backend
 *   (`@tensorflow/tfjs-backend-wasm`, always installed).
 *
 * The native packages are optional dependencies: their install downloads libtensorflow
 * and is dropped where that fails. `MODELGATE_TFJS_BACKEND` pins one backend for CPU
 * models (`tensorflow`, `wasm`, or `cpu`: the plain-JavaScript kernels, slow, for
 * debugging), so every path can be chosen and tested where tfjs-node is installed too.
 */

export const TFJS_BACKEND_ENV = 'MODELGATE_TFJS_BACKEND';
export const FORCED_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type ForcedBackend = (typeof FORCED_BACKENDS)[number];

export interface BackendCandidate {
  /** The package whose import registers the backend. */
  package: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node' | '@tensorflow/tfjs-backend-wasm' | '@tensorflow/tfjs-backend-cpu';
  /** The name tfjs registers it under (`tf.setBackend`). */
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** What model metadata and logs call it. */
  executionProvider: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
}

const NODE_GPU: BackendCandidate = { package: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow', executionProvider: 'tensorflow-gpu' };
const NODE: BackendCandidate = { package: '@tensorflow/tfjs-node', backend: 'tensorflow', executionProvider: 'tensorflow' };
const WASM: BackendCandidate = { package: '@tensorflow/tfjs-backend-wasm', backend: 'wasm', executionProvider: 'wasm' };
const CPU: BackendCandidate = { package: '@tensorflow/tfjs-backend-cpu', backend: 'cpu', executionProvider: 'cpu' };

/** The backends to try, best first. Throws when the override is unknown or cannot serve the device. */
export function backendCandidates(device: Device, forced: string | undefined, cpuFallback = false): BackendCandidate[] {
  const pinned = forced === undefined || forced === '' ? undefined : forced;
  if (pinned !== undefined && !(FORCED_BACKENDS as readonly string[]).includes(pinned)) {
    throw new Error(`${TFJS_BACKEND_ENV}: expected one of ${FORCED_BACKENDS.join(', ')}, got "${pinned}"`);
  }
  if (device === 'gpu') {
    if (cpuFallback) return [NODE_GPU, ...backendCandidates('cpu', pinned)];
    if (pinned !== undefined && pinned !== 'tensorflow') {
      throw new Error(`${TFJS_BACKEND_ENV}=${pinned} cannot serve a model on device gpu (only @tensorflow/tfjs-node-gpu can)`);
    }
    return [NODE_GPU];
  }
  switch (pinned as ForcedBackend | undefined) {
    case 'tensorflow': return [NODE];
    case 'wasm': return [WASM];
    case 'cpu': return [CPU];
    default: return [NODE, WASM];
  }
}

export interface BackendChoice {
  chosen: BackendCandidate;
  /** Candidates tried before it and why each was passed over (for the load log). */
  skipped: { candidate: BackendCandidate; reason: string }[];
}

/**
 * Activates the first candidate that works. `activate` imports the package and
 * switches tfjs to its backend, throwing when either fails. When none works the
 * error names every package and its reason, and how to get the native ones.
 */
export async function chooseBackend(
  candidates: readonly BackendCandidate[],
  activate: (candidate: BackendCandidate) => Promise<void>,
): Promise<BackendChoice> {
  const skipped: BackendChoice['skipped'] = [];
  for (const candidate of candidates) {
    try {
      await activate(candidate);
      return { chosen: candidate, skipped };
    } catch (error) {
      skipped.push({ candidate, reason: firstLine(error) });
    }
  }
  const reasons = skipped.map((s) => `${s.candidate.package}: ${s.reason}`).join('; ');
  const native = candidates.some((c) => c.package === NODE_GPU.package || c.package === NODE.package)
    ? ' (the native packages are optional dependencies: install them where their libtensorflow can be downloaded)'
    : '';
  throw new Error(`no TensorFlow.js backend could be loaded: ${reasons}${native}`);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] as string;
}
