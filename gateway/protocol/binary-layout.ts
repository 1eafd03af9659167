/**
 * What the request and response sides of Triton's binary tensor data extension
 * (`binary_tensor_data`) share: the header name, the content type, and the byte layout.
 *
 * Layout of one tensor's bytes: little-endian, row-major, no padding; BOOL one byte per
 * element (0 or 1); FP16 the 2-byte half bit pattern; BYTES each element a 4-byte
 * little-endian unsigned length followed by that many bytes (UTF-8 text here, since BYTES
 * tensors are string[]).
 */
import { endianness } from 'node:os';

/** The HTTP header giving the byte length of the JSON part of a body (request or response). */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'Inference-Header-Content-Length';

/** The content type of a response that carries binary outputs (Triton sends the same). */
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** Bytes of the length prefix of each BYTES element. */
export const BYTES_LENGTH_PREFIX = 4;

/** Whether typed arrays on this host are little-endian, i.e. already in the wire layout. */
export const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Reverses the bytes of every `width`-byte element of `bytes`, in place. */
export function swapByteOrder(bytes: Uint8Array, width: number): void {
  if (width <= 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}

/** Elements of a concrete shape (0 as soon as one dimension is 0, whatever the others). */
export function shapeElementCount(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
