/**
 * The request side of Triton's binary tensor data extension (`binary_tensor_data`).
 *
 * A body sent with `Inference-Header-Content-Length: N` is N bytes of JSON (the usual
 * inference request) followed by the binary section. An input whose
 * `parameters.binary_data_size` is set has no `data`: its bytes are the next
 * `binary_data_size` bytes of the section, inputs taking their bytes in the order they are
 * listed (layout in binary-layout.ts). Without the header the body is plain JSON.
 *
 * The binary inputs go through decodeInferRequest like JSON ones (name, datatype, shape,
 * batch dimension, duplicates, missing inputs); only their data comes from here, through
 * the BinaryInputSource that binarySection() returns. Every refusal is a 400.
 *
 * Decisions:
 * - `binary_data_size` must be a non-negative integer; for fixed-size datatypes it must
 *   equal elements × element size, for BYTES be at least 4 bytes per element; both are
 *   checked before any storage is allocated, so storage never exceeds the bytes received.
 * - The sizes must add up to exactly the section: an input that needs more bytes than
 *   remain is refused by name, bytes that no input claims are refused after the last input.
 * - BOOL bytes must be 0 or 1 (the Tensor invariant), BYTES elements valid UTF-8 (they
 *   become strings; invalid sequences would otherwise be replaced silently), and the BYTES
 *   elements must fill the input's bytes exactly, one per element of the shape.
 * - FP16/FP32/FP64 bit patterns are kept as sent (NaN payloads included).
 * - Numeric data is copied once into a fresh typed array that owns its ArrayBuffer (offset
 *   0, whole buffer): a view into the request Buffer may sit in Node's shared pool, cannot
 *   be transferred to a worker thread, and may be misaligned for its element size.
 */
import { isUtf8 } from 'node:buffer';
import type { DataType, NumericArray, TensorData, TensorSpec } from '../../runtimes/tensor.ts';
import { GatewayError, invalidInput } from '../errors.ts';
import {
  BYTES_LENGTH_PREFIX, INFERENCE_HEADER_CONTENT_LENGTH, LITTLE_ENDIAN_HOST, shapeElementCount, swapByteOrder,
} from './binary-layout.ts';
import { DATATYPE_INFO } from './datatypes.ts';
import {
  decodeInferRequest, describe, formatShape,
  type BinaryInputSource, type InferRequest, type ModelSignature,
} from './infer-request.ts';
import { parseJsonBody, type ParseJsonBodyOptions } from './json-body.ts';

export interface BinaryBody {
  /** The JSON part: the first Inference-Header-Content-Length bytes. */
  header: Buffer;
  /** The binary section: every byte after the JSON part (views into the body, not copies). */
  binary: Buffer;
}

const DIGITS = /^[0-9]+$/;

function badHeaderLength(expected: string): GatewayError {
  return new GatewayError('MODELGATE_ERR_BAD_REQUEST', `${INFERENCE_HEADER_CONTENT_LENGTH}: ${expected}`);
}

/**
 * Splits a body by the value of its Inference-Header-Content-Length header; undefined when
 * the header is absent (the whole body is JSON). Throws a 400 (MODELGATE_ERR_BAD_REQUEST)
 * unless the value is a non-negative decimal integer no larger than the body.
 */
export function splitBinaryBody(body: Buffer, headerLength: string | undefined): BinaryBody | undefined {
  if (headerLength === undefined) return undefined;
  const text = headerLength.trim();
  if (!DIGITS.test(text)) {
    throw badHeaderLength(
      `expected a non-negative integer (the byte length of the JSON part of the body), got ${describe(headerLength)}`,
    );
  }
  const length = Number(text);
  if (length > body.length) {
    const shown = text.length <= 20 ? String(length) : describe(text);
    throw badHeaderLength(`expected at most the body's length (${body.length} bytes), got ${shown}`);
  }
  return { header: body.subarray(0, length), binary: body.subarray(length) };
}

function badBytes(path: string, what: string): GatewayError {
  return invalidInput(`${path}: binary data: ${what}`);
}

/** Copies `bytes` into fresh storage of `datatype` (one copy; the array owns its buffer). */
function decodeFixed(bytes: Uint8Array, datatype: DataType, count: number, path: string): NumericArray {
  const info = DATATYPE_INFO[datatype];
  const ctor = info.arrayType;
  const width = info.byteSize;
  if (ctor === undefined || width === undefined || bytes.length !== count * width) {
    throw badBytes(path, `expected ${count} × ${width ?? '?'} bytes for ${datatype}, got ${bytes.length}`);
  }
  const data = new ctor(count);
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  raw.set(bytes);
  if (!LITTLE_ENDIAN_HOST) swapByteOrder(raw, width);
  if (datatype === 'BOOL') {
    for (let k = 0; k < raw.length; k++) {
      if ((raw[k] as number) > 1) throw badBytes(path, `BOOL element [${k}]: expected a byte 0 or 1, got ${raw[k]}`);
    }
  }
  return data;
}

/** Reads `count` length-prefixed UTF-8 elements that fill `bytes` exactly. */
function decodeStrings(bytes: Uint8Array, count: number, path: string): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // At least one length prefix per element, or refuse before allocating anything.
  if (buf.length < count * BYTES_LENGTH_PREFIX) {
    throw badBytes(path, `expected at least ${count * BYTES_LENGTH_PREFIX} bytes for ${count} BYTES elements ` +
      `(a ${BYTES_LENGTH_PREFIX}-byte length each), got ${buf.length}`);
  }
  const out = new Array<string>(count);
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (buf.length - at < BYTES_LENGTH_PREFIX) {
      throw badBytes(path, `BYTES element [${k}]: expected a ${BYTES_LENGTH_PREFIX}-byte length at byte ${at}, ` +
        `but only ${buf.length - at} of the input's ${buf.length} bytes remain`);
    }
    const length = buf.readUInt32LE(at);
    const start = at + BYTES_LENGTH_PREFIX;
    if (length > buf.length - start) {
      throw badBytes(path, `BYTES element [${k}]: length ${length} (at byte ${at}) runs past the end of the ` +
        `input's ${buf.length} bytes (${buf.length - start} remain)`);
    }
    const end = start + length;
    if (!isUtf8(buf.subarray(start, end))) {
      throw badBytes(path, `BYTES element [${k}]: expected UTF-8 text (bytes ${start}–${end})`);
    }
    out[k] = buf.toString('utf8', start, end);
    at = end;
  }
  if (at !== buf.length) {
    throw badBytes(path, `expected ${count} BYTES elements filling the input's ${buf.length} bytes, ` +
      `but ${buf.length - at} bytes remain after element [${count - 1}]`);
  }
  return out;
}

/**
 * The tensor data of one binary input: `bytes` (its whole binary data) laid out per
 * binary-layout.ts, for a tensor of `datatype` and concrete `shape`. `path` (e.g.
 * `inputs[0]`) starts every error message.
 */
export function decodeBinaryTensorData(
  bytes: Uint8Array, datatype: DataType, shape: readonly number[], path: string,
): TensorData {
  const count = shapeElementCount(shape);
  return datatype === 'BYTES' ? decodeStrings(bytes, count, path) : decodeFixed(bytes, datatype, count, path);
}

/**
 * The binary section of a request as decodeInferRequest consumes it: each binary input
 * takes the next `binary_data_size` bytes; finish() refuses bytes left over.
 */
export function binarySection(binary: Uint8Array): BinaryInputSource {
  let offset = 0;
  return {
    take(size: unknown, spec: TensorSpec, shape: readonly number[], path: string): TensorData {
      const field = `${path}.parameters.binary_data_size`;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw invalidInput(`${field}: expected a non-negative integer (bytes), got ${describe(size)}`);
      }
      const { datatype } = spec;
      const count = shapeElementCount(shape);
      const width = DATATYPE_INFO[datatype].byteSize;
      if (width !== undefined && size !== count * width) {
        throw invalidInput(`${field}: shape ${formatShape(shape)} of ${datatype} needs ${count * width} bytes ` +
          `(${count} × ${width}), got ${size}`);
      }
      if (width === undefined && size < count * BYTES_LENGTH_PREFIX) {
        throw invalidInput(`${field}: shape ${formatShape(shape)} of BYTES needs at least ` +
          `${count * BYTES_LENGTH_PREFIX} bytes (a ${BYTES_LENGTH_PREFIX}-byte length per element), got ${size}`);
      }
      const available = binary.length - offset;
      if (size > available) {
        throw invalidInput(`${field}: expected ${size} bytes of binary data, but only ${available} remain ` +
          `(the binary section holds ${binary.length} bytes, ${offset} taken by earlier inputs)`);
      }
      const bytes = binary.subarray(offset, offset + size);
      offset += size;
      return decodeBinaryTensorData(bytes, datatype, shape, path);
    },
    finish(): void {
      if (offset !== binary.length) {
        throw invalidInput(`binary section: ${binary.length - offset} bytes that no input claims ` +
          `(the inputs' binary_data_size add up to ${offset} bytes, the section after the JSON holds ${binary.length})`);
      }
    },
  };
}

/**
 * Parses and decodes a whole request body: plain JSON when `headerLength` (the value of
 * the Inference-Header-Content-Length header) is undefined, else JSON header + binary
 * section. Refusals: 400 (header length, JSON, every input check of decodeInferRequest).
 */
export function decodeInferBody(
  body: Buffer, headerLength: string | undefined, model: ModelSignature, opts: ParseJsonBodyOptions,
): InferRequest {
  const parts = splitBinaryBody(body, headerLength);
  if (parts === undefined) return decodeInferRequest(parseJsonBody(body, opts), model);
  return decodeInferRequest(parseJsonBody(parts.header, opts), model, { binary: binarySection(parts.binary) });
}
