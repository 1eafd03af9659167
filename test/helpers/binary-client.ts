/**
 * A minimal client side of Triton's binary tensor extension, written apart from
 * the server's codec so the end-to-end tests check one against the other.
 */
const ARRAYS = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array,
} as const;

/** Raw little-endian bytes of `values` as `datatype` (FP16 values are given as half bit patterns). */
export function tensorBytes(datatype: string, values: readonly unknown[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat((values as string[]).flatMap((s) => {
      const text = Buffer.from(s, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      return [length, text];
    }));
  }
  const Array_ = ARRAYS[datatype as keyof typeof ARRAYS];
  const converted = values.map((v) => (typeof v === 'boolean' ? Number(v) : v));
  const typed = new (Array_ as unknown as new (values: unknown[]) => ArrayBufferView)(converted);
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** A request body: JSON header (with binary_data_size per binary input) followed by the bytes. */
export function binaryRequest(header: { inputs: { name: string; shape: number[]; datatype: string; bytes?: Buffer; data?: unknown }[]; [key: string]: unknown }): { body: Buffer; headerLength: number } {
  const inputs = header.inputs.map(({ bytes, ...rest }) => (bytes ? { ...rest, parameters: { binary_data_size: bytes.length } } : rest));
  const json = Buffer.from(JSON.stringify({ ...header, inputs }));
  const binary = header.inputs.flatMap((i) => (i.bytes ? [i.bytes] : []));
  return { body: Buffer.concat([json, ...binary]), headerLength: json.length };
}

/** Splits a binary response into its JSON header and each binary output's bytes. */
export function parseBinaryResponse(body: Buffer, headerLength: number): { header: any; outputs: Record<string, Buffer> } {
  const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
  const outputs: Record<string, Buffer> = {};
  let offset = headerLength;
  for (const output of header.outputs as { name: string; parameters?: { binary_data_size?: number } }[]) {
    const size = output.parameters?.binary_data_size;
    if (size === undefined) continue;
    outputs[output.name] = body.subarray(offset, offset + size);
    offset += size;
  }
  return { header, outputs };
}
