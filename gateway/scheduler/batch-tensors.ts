import { GatewayError } from '../errors.ts';
import { elementCount, type NamedTensors, type NumericArray, type Tensor, type TensorData } from '../../runtimes/tensor.ts';

/**
 * Moving requests into one batch along dim 0 and the batch result back out.
 *
 * Ownership: `concatBatch` allocates one fresh buffer per input, so the batch owns
 * its buffers outright and the pool can transfer them to the worker (see
 * runtimes/transfer.ts: only arrays owning their whole ArrayBuffer are transferred).
 * `splitBatch` COPIES each request's rows (typed-array `slice`) rather than handing
 * out `subarray` views: a view would keep the whole batch result alive as long as any
 * one response lives, could not be transferred on (transferList skips views), and a
 * serializer that wrote `view.buffer` instead of the view would leak other clients'
 * rows. The copy is one memcpy of the output bytes, small next to the inference.
 */

/** Batch dimension of a request: dim 0, which every input must share. Throws invalidInput otherwise. */
export function requestRows(inputs: NamedTensors): number {
  let rows: number | undefined;
  for (const [name, tensor] of Object.entries(inputs)) {
    const first = tensor.shape[0];
    if (first === undefined) throw new GatewayError('MODELGATE_ERR_INVALID_INPUT', `input "${name}": expected a batch dimension (shape [batch, ...]), got a scalar`);
    if (rows !== undefined && first !== rows) {
      throw new GatewayError('MODELGATE_ERR_INVALID_INPUT', `input "${name}": batch dimension ${first} differs from the other inputs' ${rows}`);
    }
    rows = first;
  }
  return rows ?? 0;
}

/**
 * What must be equal for two requests to share a batch: each input's name, datatype and
 * non-batch dims, and the requested outputs in order (the batch runs one output list).
 */
export function shapeKey(inputs: NamedTensors, outputNames: readonly string[]): string {
  const names = Object.keys(inputs).sort();
  const parts = names.map((name) => {
    const tensor = inputs[name] as Tensor;
    return [name, tensor.datatype, tensor.shape.slice(1)];
  });
  return JSON.stringify([parts, outputNames]);
}

/**
 * Concatenates requests along dim 0. Precondition: every request has the same input
 * names, datatypes and non-batch dims (equal shapeKey); a breach throws a plain Error
 * (an internal fault, not the client's). The names and order of the first request win.
 */
export function concatBatch(requests: readonly NamedTensors[]): NamedTensors {
  const first = requests[0];
  if (first === undefined) throw new Error('concatBatch: no requests');
  const batch: NamedTensors = {};
  for (const [name, model] of Object.entries(first)) {
    const tensors = requests.map((request) => {
      const tensor = request[name];
      if (tensor === undefined || tensor.datatype !== model.datatype || !sameTail(tensor.shape, model.shape)) {
        throw new Error(`concatBatch: input "${name}" differs between requests of one batch`);
      }
      return tensor;
    });
    const rows = tensors.reduce((sum, tensor) => sum + (tensor.shape[0] ?? 0), 0);
    batch[name] = { datatype: model.datatype, shape: [rows, ...model.shape.slice(1)], data: concatData(tensors.map((t) => t.data)) };
  }
  return batch;
}

/**
 * Splits every output along dim 0 into one tensor set per request, `rows[i]` rows for
 * request i, in order. An output whose dim 0 is not the batch (sum of rows) cannot be
 * split; that is a fault of the model or its config, reported as MODELGATE_ERR_RUNTIME.
 */
export function splitBatch(outputs: NamedTensors, rows: readonly number[]): NamedTensors[] {
  const total = rows.reduce((sum, r) => sum + r, 0);
  const parts: NamedTensors[] = rows.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    const [first, ...tail] = tensor.shape;
    if (first !== total) {
      throw new GatewayError(
        'MODELGATE_ERR_RUNTIME',
        `output "${name}" has shape [${tensor.shape.join(', ')}], but a batch of ${total} rows needs dim 0 = ${total} to split it per request (is this output declared with a batch dimension?)`,
      );
    }
    const rowSize = elementCount(tail);
    if (tensor.data.length !== total * rowSize) {
      throw new GatewayError('MODELGATE_ERR_RUNTIME', `output "${name}" holds ${tensor.data.length} values, but its shape [${tensor.shape.join(', ')}] needs ${total * rowSize}`);
    }
    let start = 0;
    rows.forEach((count, i) => {
      const end = start + count;
      (parts[i] as NamedTensors)[name] = {
        datatype: tensor.datatype,
        shape: [count, ...tail],
        data: tensor.data.slice(start * rowSize, end * rowSize),
      };
      start = end;
    });
  }
  return parts;
}

function sameTail(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => i === 0 || d === b[i]);
}

/** Typed arrays: one allocation of the first part's type, then `set`; strings: one array. */
function concatData(parts: readonly TensorData[]): TensorData {
  const first = parts[0] as TensorData;
  if (Array.isArray(first)) {
    const out: string[] = [];
    for (const part of parts) {
      if (!Array.isArray(part)) throw new Error('concatBatch: BYTES data mixed with numeric data');
      for (const value of part) out.push(value);
    }
    return out;
  }
  const Ctor = first.constructor as new (length: number) => NumericArray;
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Ctor(length) as unknown as { set(source: ArrayLike<unknown>, offset: number): void };
  let offset = 0;
  for (const part of parts) {
    if (part.constructor !== Ctor) throw new Error('concatBatch: typed arrays of different kinds in one input');
    out.set(part as ArrayLike<unknown>, offset);
    offset += part.length;
  }
  return out as unknown as NumericArray;
}
