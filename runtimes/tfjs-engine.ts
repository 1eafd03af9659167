import { createRequire } from 'node:module';
import type * as tfCore from '@tensorflow/tfjs-core';
import type { LoadOptions } from './runtime.ts';
import { backendCandidates, chooseBackend, TFJS_BACKEND_ENV, type BackendCandidate, type BackendChoice } from './tfjs-backend.ts';

/**
 * The thread's TensorFlow.js engine: tfjs-core imported on first use (ONNX-only threads
 * never pay for it) with the backend tfjs-backend.ts picks. A thread has one engine, so
 * the backend is chosen once per thread (one worker = one session).
 */

export type Tf = typeof tfCore;

export interface Engine {
  tf: Tf;
  backend: BackendCandidate;
  /** Why a better backend was passed over (e.g. tfjs-node not installed), for the load log. */
  fallback: string | undefined;
}

/** Per thread: the engine and the backend it runs, or the promise of them. */
let engine: { key: string; ready: Promise<Engine> } | undefined;

export function activate(options: LoadOptions): Promise<Engine> {
  const forced = process.env[TFJS_BACKEND_ENV];
  const candidates = backendCandidates(options.device, forced, options.cpuFallback ?? false);
  const key = `${options.device}${options.cpuFallback === true ? '+cpu' : ''}/${forced ?? ''}`;
  if (engine !== undefined) {
    if (engine.key !== key) {
      return Promise.reject(new Error(`this thread already runs TensorFlow.js for ${engine.key}; it cannot also serve ${key}`));
    }
    return engine.ready;
  }
  const ready = (async (): Promise<Engine> => {
    const tf = await import('@tensorflow/tfjs-core');
    const choice: BackendChoice = await chooseBackend(candidates, async (candidate) => {
      await importBackend(candidate);
      if (!(await tf.setBackend(candidate.backend))) throw new Error(`backend "${candidate.backend}" failed to initialize`);
    });
    const fallback = choice.skipped.length === 0
      ? undefined
      : `${choice.skipped.map((s) => `${s.candidate.package}: ${s.reason}`).join('; ')}; running on ${choice.chosen.executionProvider}`;
    return { tf, backend: choice.chosen, fallback };
  })();
  engine = { key, ready };
  ready.catch(() => {
    if (engine?.ready === ready) engine = undefined;
  });
  return ready;
}

/** Imports the package that registers a backend; a missing native package says so plainly. */
async function importBackend(candidate: BackendCandidate): Promise<void> {
  try {
    // A variable specifier: the native packages are optional and may be absent (and untyped here).
    const specifier: string = candidate.package;
    await import(specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error('not installed');
    throw error;
  }
}

let cachedVersion: string | undefined;
export function tfjsVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}
