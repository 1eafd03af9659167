import type { NamedTensors } from './tensor.ts';

/**
 * The buffers of `tensors` that can be transferred to another thread.
 *
 * A typed array is only transferred when it owns its whole ArrayBuffer: Node's
 * Buffer pool and slices share one buffer, and detaching it would corrupt
 * unrelated data. Those (rare) arrays are copied by structured clone instead.
 */
export function transferList(tensors: NamedTensors): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const tensor of Object.values(tensors)) {
    const data = tensor.data;
    if (Array.isArray(data)) continue;
    const buffer = data.buffer;
    if (buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength && !list.includes(buffer)) {
      list.push(buffer);
    }
  }
  return list;
}
