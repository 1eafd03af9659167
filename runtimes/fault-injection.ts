import type { NamedTensors } from './tensor.ts';

/**
 * Fault injection for the gateway's own recovery tests; off unless the
 * environment of the process that starts the pools sets
 * MODELGATE_FAULT_INJECTION=worker-exit. Then a request whose first input
 * starts with the element -7777 makes its worker thread exit before the
 * runtime sees it, as a worker that crashes mid-request would.
 *
 * (Killing a thread while onnxruntime-node computes aborts the whole process
 * in ORT 1.30, so the crash is staged where a JS-level failure would happen.)
 */
export const FAULT_SENTINEL = -7777;

export function shouldCrash(inputs: NamedTensors): boolean {
  if (process.env.MODELGATE_FAULT_INJECTION !== 'worker-exit') return false;
  const first = Object.values(inputs)[0];
  return first !== undefined && !Array.isArray(first.data) && Number(first.data[0]) === FAULT_SENTINEL;
}
