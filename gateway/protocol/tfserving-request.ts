/**
 * Decodes a TF Serving `:predict` request body (REST JSON, already parsed by json-body.ts)
 * against a model's signature, producing the same typed tensors as the KServe v2 decoder.
 *
 * Formats (either one, never both):
 * - row: `{"instances": [...]}`, one instance per row of the batch dimension. With one
 *   input an instance is that input's row (`[5.1, 3.5, 1.4, 0.2]`, or a scalar); with
 *   several, an object keyed by input name. A single-input model also takes keyed objects.
 *   The model must batch (max_batch_size > 0) and the instances must fit in one batch.
 * - columnar: `{"inputs": value | {name: value}}`, each value the whole tensor, batch
 *   dimension included, nested to its shape. A bare value only for a single-input model.
 *
 * Decisions:
 * - Shapes come from the nesting and are checked against the declared shape: fixed dims
 *   must match, a variable (-1) dim is taken from the first list that reaches it and then
 *   holds for the whole tensor (and, in row format, for every instance). Every list is
 *   checked before storage is allocated, so storage never exceeds the values received.
 * - Elements are written by the protocol's element writers (elements.ts): the same range
 *   checks and conversions as the v2 API (exact INT64 via json-body.ts, "NaN" strings…).
 * - BYTES values may be `{"b64": "..."}`; the bytes must be UTF-8 text, as BYTES tensors
 *   hold strings here. Standard and URL-safe base64 alphabets are accepted.
 * - `signature_name`, when present, must be "serving_default" (the only signature).
 * - Every refusal is invalidInput (400) naming the field: `instances[3]`,
 *   `instances[0].INPUT1[2]`, `inputs.INPUT0[1]`.
 */
import { isUtf8 } from 'node:buffer';
import type { NamedTensors, TensorData, TensorSpec } from '../../runtimes/tensor.ts';
import { invalidInput } from '../errors.ts';
import { allocateTensorData } from './datatypes.ts';
import { elementWriter, type ElementFailure } from './elements.ts';
import { describe, formatShape, type ModelSignature, unravel } from './infer-request.ts';
import { SERVING_DEFAULT } from './tfserving-metadata.ts';

export type PredictFormat = 'row' | 'columnar';

export interface PredictRequest {
  format: PredictFormat;
  inputs: NamedTensors;
  /** Row format: the number of instances (the batch size); 0 for the columnar format. */
  rows: number;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"b64": ...}`: TF Serving's wrapper for binary string values. */
export function isB64(v: unknown): v is { b64: unknown } {
  if (!isObject(v) || !Object.hasOwn(v, 'b64')) return false;
  for (const key in v) if (key !== 'b64') return false;
  return true;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The UTF-8 text a `{"b64": ...}` value carries. */
export function decodeB64(value: { b64: unknown }, path: string): string {
  const text = value.b64;
  const body = typeof text === 'string' ? text.replace(/=+$/, '') : '';
  if (typeof text !== 'string' || !BASE64.test(text) || body.length % 4 === 1 ||
    (body.length !== text.length && text.length % 4 !== 0)) {
    throw invalidInput(`${path}.b64: expected a base64 string, got ${describe(text)}`);
  }
  const bytes = Buffer.from(body, 'base64');
  if (!isUtf8(bytes)) throw invalidInput(`${path}.b64: expected the base64 of UTF-8 text (string tensors hold text), got other bytes`);
  return bytes.toString('utf8');
}

/** `.name`, or `["odd name"]` when the name is not an identifier. */
function member(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

function nameList(specs: readonly TensorSpec[]): string {
  const shown = specs.slice(0, 10).map((s) => JSON.stringify(s.name)).join(', ');
  return specs.length > 10 ? `${shown}, … (${specs.length} in all)` : shown;
}

function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function product(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let d = from; d < to; d++) n *= dims[d] as number;
  return n;
}


/** One piece of a tensor as the client wrote it: an instance's value, or a whole column. */
interface Piece {
  value: unknown;
  path: string;
}

/**
 * The storage of one tensor made of `pieces`, each nested as `dims` (the shape of one
 * piece; -1 entries are learned, then fixed). `dims` is updated in place to the concrete
 * shape of one piece. The tensor holds the pieces one after another.
 */
function decodePieces(pieces: readonly Piece[], spec: TensorSpec, dims: number[]): TensorData {
  const rows: unknown[][] = [];
  const learnedAt: (string | undefined)[] = [];
  const last = dims.length - 1;
  const at: number[] = []; // indices of the node being walked; a path string only on error
  let piece: Piece | undefined;
  const where = (): string => `${piece?.path ?? ''}${at.map((k) => `[${k}]`).join('')}`;
  const expectation = `for input ${JSON.stringify(spec.name)} ${formatShape(spec.shape)}`;
  const walk = (node: unknown, d: number): void => {
    const want = dims[d] as number;
    if (!Array.isArray(node)) {
      const what = want < 0 ? 'a list of values' : `${want} values`;
      throw invalidInput(`${where()}: expected ${what} ${expectation}, got ${describe(node)}`);
    }
    if (want < 0) {
      dims[d] = node.length;
      learnedAt[d] = where();
    } else if (node.length !== want) {
      const learned = learnedAt[d];
      throw invalidInput(`${where()}: expected ${want} values ${expectation}${learned === undefined ? '' : ` (as ${learned})`}, got ${node.length}`);
    }
    if (d === last) {
      rows.push(node);
      return;
    }
    for (let k = 0; k < node.length; k++) {
      at.push(k);
      walk(node[k], d + 1);
      at.pop();
    }
  };
  for (piece of pieces) {
    if (last < 0) rows.push([piece.value]);
    else walk(piece.value, 0);
  }
  // A dim below an empty list is never reached: the piece holds no elements either way.
  for (let d = 0; d <= last; d++) if ((dims[d] as number) < 0) dims[d] = 0;

  const rowLength = last < 0 ? 1 : (dims[last] as number);
  const rowsPerPiece = last < 0 ? 1 : product(dims, 0, last);
  const outer = dims.slice(0, Math.max(last, 0));
  const rowPath = (r: number): string => {
    const owner = pieces[Math.floor(r / rowsPerPiece)];
    return `${owner?.path ?? ''}${last < 0 ? '' : unravel(r % rowsPerPiece, outer)}`;
  };
  const elementPath = (r: number, j: number): string => (last < 0 ? rowPath(r) : `${rowPath(r)}[${j}]`);

  const data = allocateTensorData(spec.datatype, rows.length * rowLength); // every row is checked
  const write = elementWriter(spec.datatype);
  const bytes = spec.datatype === 'BYTES';
  let r = 0;
  let row: unknown[] = [];
  const fail: ElementFailure = (j, expected) => {
    throw invalidInput(`${elementPath(r, j)}: ${expected}, got ${describe(row[j])}`);
  };
  for (; r < rows.length; r++) {
    row = rows[r] as unknown[];
    if (bytes) row = unwrapB64(row, (j) => elementPath(r, j));
    write(row, data, r * rowLength, fail);
  }
  return data;
}

/** The row with its `{"b64": ...}` elements decoded to strings (a copy only when it has some). */
function unwrapB64(row: unknown[], path: (j: number) => string): unknown[] {
  let out: unknown[] | undefined;
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (typeof v === 'object' && v !== null && isB64(v)) {
      out ??= row.slice();
      out[j] = decodeB64(v, path(j));
    }
  }
  return out ?? row;
}

function decodeRows(raw: unknown, model: ModelSignature): NamedTensors {
  if (model.maxBatchSize <= 0) {
    throw invalidInput('instances: the row format needs a model with a batch dimension (max_batch_size > 0), ' +
      'and this one has none; send the columnar format {"inputs": ...} instead');
  }
  if (!Array.isArray(raw) || raw.length === 0) throw invalidInput(`instances: expected a non-empty list, got ${describe(raw)}`);
  if (raw.length > model.maxBatchSize) {
    throw invalidInput(`instances: expected at most ${model.maxBatchSize} instances (max_batch_size), got ${raw.length}`);
  }
  const specs = model.inputs;
  const single = specs.length === 1 ? specs[0] : undefined;
  const keyed = single === undefined || (isObject(raw[0]) && !isB64(raw[0]));
  if (keyed) {
    const names = new Set(specs.map((s) => s.name));
    for (let i = 0; i < raw.length; i++) {
      const instance: unknown = raw[i];
      if (!isObject(instance) || (single !== undefined && isB64(instance))) {
        const note = single === undefined ? '' : ' (as instances[0])';
        throw invalidInput(`instances[${i}]: expected an object keyed by input name (${nameList(specs)})${note}, got ${describe(instance)}`);
      }
      for (const key of Object.keys(instance)) {
        if (!names.has(key)) throw invalidInput(`instances[${i}]: unknown input ${describe(key)} (expected ${nameList(specs)})`);
      }
      for (const spec of specs) {
        if (!Object.hasOwn(instance, spec.name)) throw invalidInput(`instances[${i}]: missing input ${JSON.stringify(spec.name)}`);
      }
    }
  }
  const inputs: NamedTensors = {};
  for (const spec of specs) {
    const pieces = raw.map((instance: unknown, i): Piece => keyed
      ? { value: (instance as JsonObject)[spec.name], path: `instances[${i}]${member(spec.name)}` }
      : { value: instance, path: `instances[${i}]` });
    const dims = spec.shape.slice(1);
    const data = decodePieces(pieces, spec, dims);
    setOwn(inputs, spec.name, { datatype: spec.datatype, shape: [raw.length, ...dims], data });
  }
  return inputs;
}

function decodeColumns(raw: unknown, model: ModelSignature): NamedTensors {
  const specs = model.inputs;
  const single = specs.length === 1 ? specs[0] : undefined;
  let columns: { spec: TensorSpec; piece: Piece }[];
  if (single !== undefined && !(isObject(raw) && !isB64(raw))) {
    columns = [{ spec: single, piece: { value: raw, path: 'inputs' } }];
  } else {
    if (!isObject(raw)) throw invalidInput(`inputs: expected an object keyed by input name (${nameList(specs)}), got ${describe(raw)}`);
    const names = new Set(specs.map((s) => s.name));
    for (const key of Object.keys(raw)) {
      if (!names.has(key)) throw invalidInput(`inputs: unknown input ${describe(key)} (expected ${nameList(specs)})`);
    }
    const missing = specs.filter((s) => !Object.hasOwn(raw, s.name));
    if (missing.length > 0) throw invalidInput(`inputs: missing input(s) ${nameList(missing)}`);
    columns = specs.map((spec) => ({ spec, piece: { value: raw[spec.name], path: `inputs${member(spec.name)}` } }));
  }
  const inputs: NamedTensors = {};
  let batch: { size: number; from: string } | undefined;
  for (const { spec, piece } of columns) {
    const max = model.maxBatchSize;
    // The batch size is known from the outer list: refuse an oversized batch before walking it.
    if (max > 0 && Array.isArray(piece.value) && piece.value.length > max) {
      throw invalidInput(`${piece.path}: expected a batch of 1 to ${max} rows (max_batch_size), got ${piece.value.length}`);
    }
    const dims = [...spec.shape];
    const data = decodePieces([piece], spec, dims);
    if (max > 0) {
      const size = dims[0] as number;
      if (size < 1) throw invalidInput(`${piece.path}: expected a batch of 1 to ${max} rows (max_batch_size), got ${size}`);
      if (batch !== undefined && batch.size !== size) {
        throw invalidInput(`${piece.path}: expected a batch of ${batch.size} rows (as ${batch.from}), got ${size}`);
      }
      batch ??= { size, from: piece.path };
    }
    setOwn(inputs, spec.name, { datatype: spec.datatype, shape: dims, data });
  }
  return inputs;
}

/** Validates a parsed `:predict` body against the model and decodes its tensors. */
export function decodePredictRequest(body: unknown, model: ModelSignature): PredictRequest {
  if (!isObject(body)) throw invalidInput(`request body: expected a JSON object, got ${describe(body)}`);
  const signature = body.signature_name;
  if (signature !== undefined && signature !== SERVING_DEFAULT) {
    throw invalidInput(`signature_name: expected "${SERVING_DEFAULT}" (the only signature), got ${describe(signature)}`);
  }
  const { instances, inputs } = body;
  if (instances !== undefined && inputs !== undefined) {
    throw invalidInput('request body: expected either "instances" (row format) or "inputs" (columnar format), not both');
  }
  if (instances !== undefined) {
    return { format: 'row', inputs: decodeRows(instances, model), rows: (instances as unknown[]).length };
  }
  if (inputs !== undefined) return { format: 'columnar', inputs: decodeColumns(inputs, model), rows: 0 };
  throw invalidInput('request body: expected "instances" (row format) or "inputs" (columnar format)');
}
