/**
 * Decodes and validates a KServe v2 inference request (REST JSON, already parsed by
 * json-body.ts) against a model's signature, producing typed tensors for the runtime.
 *
 * Every refusal is invalidInput(…) (MODELGATE_ERR_INVALID_INPUT, 400) whose message names
 * the field path and the expectation, e.g. `inputs[0].shape: expected [-1, 4] (rank 2), got [3]`.
 *
 * Decisions beyond the spec text:
 * - With maxBatchSize > 0, shape[0] is the batch dimension: it must lie in
 *   [1, maxBatchSize] and be the same for every input.
 * - `data` is flat (row-major) or nested exactly like `shape`; nothing in between.
 * - The element count from `shape` is checked against `data` (its length, or its full
 *   nested structure) before any storage is allocated.
 * - An empty `outputs` array means the same as none: all outputs.
 * - Binary tensor data (Triton's `binary_data_size` parameter) is accepted only when the
 *   caller passes the body's binary section (options.binary, see binary-request.ts); the
 *   input is then validated exactly like a JSON one (name, datatype, shape, batch,
 *   duplicates) and only its data comes from the section. Without it, it is refused.
 * - Element rules (BOOL, INT64, FP special values…) are in elements.ts.
 */
import type { NamedTensors, Tensor, TensorData, TensorSpec } from '../../runtimes/tensor.ts';
import { isDataType } from '../../runtimes/tensor.ts';
import { invalidInput } from '../errors.ts';
import { allocateTensorData } from './datatypes.ts';
import { elementWriter, type ElementFailure } from './elements.ts';

export interface ModelSignature {
  /** Full declared shapes, -1 for variable dimensions (shape[0] = -1 when maxBatchSize > 0). */
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  /** 0: the model does not batch. */
  maxBatchSize: number;
}

export interface RequestedOutput {
  name: string;
  parameters?: Record<string, unknown>;
}

/**
 * The binary section of a request body (Triton's binary tensor data extension), consumed
 * in input order. Implemented by binary-request.ts.
 */
export interface BinaryInputSource {
  /**
   * The data of the next binary input, whose name, datatype and shape are already checked:
   * `size` is its raw `parameters.binary_data_size`, `path` the input's (`inputs[2]`).
   */
  take(size: unknown, spec: TensorSpec, shape: readonly number[], path: string): TensorData;
  /** Called once every input is decoded: refuses bytes that no input claimed. */
  finish(): void;
}

export interface DecodeInferRequestOptions {
  /** The body's binary section; absent for a plain JSON body. */
  binary?: BinaryInputSource;
}

export interface InferRequest {
  id?: string;
  inputs: NamedTensors;
  /** Absent: every output. */
  outputs?: RequestedOutput[];
  parameters: Record<string, unknown>;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short, safe rendering of a client value for a message. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  // A 64-bit-sized integer beyond 2^53 prints as the exact value it holds, not the shortest decimal.
  if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v) && Math.abs(v) <= 2 ** 64) {
    return BigInt(v).toString();
  }
  return String(v);
}

export function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : describe(d))).join(', ')}]`;
}

function nameList(names: Iterable<string>): string {
  const all = [...names];
  const shown = all.slice(0, 10).map((n) => JSON.stringify(n)).join(', ');
  return all.length > 10 ? `${shown}, … (${all.length} in all)` : shown;
}

function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function optionalObject(v: unknown, path: string): JsonObject | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw invalidInput(`${path}: expected an object, got ${describe(v)}`);
  return v;
}

/** Validates `shape` against the declaration; returns the concrete shape. */
function decodeShape(
  raw: unknown, spec: TensorSpec, maxBatchSize: number, path: string,
): number[] {
  if (!Array.isArray(raw)) throw invalidInput(`${path}: expected an array of dimensions, got ${describe(raw)}`);
  const shape: number[] = [];
  for (let d = 0; d < raw.length; d++) {
    const v: unknown = raw[d];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw invalidInput(`${path}[${d}]: expected a non-negative integer, got ${describe(v)}`);
    }
    shape.push(v);
  }
  const declared = spec.shape;
  const mismatch = shape.length !== declared.length ||
    declared.some((want, d) => want >= 0 && shape[d] !== want);
  if (mismatch) {
    throw invalidInput(
      `${path}: expected ${formatShape(declared)} (rank ${declared.length}), got ${formatShape(shape)}`,
    );
  }
  if (maxBatchSize > 0) {
    const batch = shape[0] as number;
    if (batch < 1 || batch > maxBatchSize) {
      throw invalidInput(`${path}[0]: expected a batch size in [1, ${maxBatchSize}], got ${batch}`);
    }
  }
  return shape;
}

/**
 * Checks a nested `data` array against `shape` level by level (not the leaves) and
 * returns the innermost rows in order. Nothing is allocated beyond that list.
 */
function nestedRows(data: readonly unknown[], shape: readonly number[], path: string): unknown[][] {
  const rows: unknown[][] = [];
  const last = shape.length - 1;
  const at: number[] = []; // indices of the node being checked; a path string only on error
  const walk = (node: unknown, dim: number): void => {
    const want = shape[dim] as number;
    if (!Array.isArray(node) || node.length !== want) {
      throw invalidInput(`${path}${at.map((k) => `[${k}]`).join('')}: expected an array of ${want} ` +
        `(dimension ${dim} of shape ${formatShape(shape)}), got ${describe(node)}`);
    }
    if (dim === last) { rows.push(node); return; }
    for (let k = 0; k < node.length; k++) {
      at.push(k);
      walk(node[k], dim + 1);
      at.pop();
    }
  };
  walk(data, 0);
  return rows;
}

/** `[i][j]…` of flat index `k` in a tensor of `shape` (for error messages). */
export function unravel(k: number, shape: readonly number[]): string {
  let out = '';
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    out = `[${k % n}]${out}`;
    k = Math.floor(k / n);
  }
  return out;
}

function decodeData(raw: unknown, spec: TensorSpec, shape: number[], path: string): TensorData {
  if (!Array.isArray(raw)) throw invalidInput(`${path}: expected an array, got ${describe(raw)}`);
  let count = 1;
  for (const d of shape) count *= d;
  const nested = shape.length >= 2 && Array.isArray(raw[0]);
  const rows = nested ? nestedRows(raw, shape, path) : [raw];
  if (!nested && raw.length !== count) {
    throw invalidInput(`${path}: shape ${formatShape(shape)} needs ${count} elements, got ${raw.length}`);
  }
  const data = allocateTensorData(spec.datatype, count); // count now matches the data
  const write = elementWriter(spec.datatype);
  let offset = 0;
  let row: unknown[] = raw;
  const fail: ElementFailure = (j, expected) => {
    const at = nested ? unravel(offset + j, shape) : `[${offset + j}]`;
    throw invalidInput(`${path}${at}: ${expected}, got ${describe(row[j])}`);
  };
  for (row of rows) {
    write(row, data, offset, fail);
    offset += row.length;
  }
  return data;
}

function decodeInputs(raw: unknown, model: ModelSignature, binary: BinaryInputSource | undefined): NamedTensors {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw invalidInput(`inputs: expected a non-empty array of input tensors, got ${describe(raw)}`);
  }
  const specs = new Map(model.inputs.map((s) => [s.name, s] as const));
  const inputs: NamedTensors = {};
  const seen = new Set<string>();
  let batch: { size: number; from: string } | undefined;
  for (let i = 0; i < raw.length; i++) {
    const path = `inputs[${i}]`;
    const input: unknown = raw[i];
    if (!isObject(input)) throw invalidInput(`${path}: expected an object, got ${describe(input)}`);
    const name = input.name;
    if (typeof name !== 'string') throw invalidInput(`${path}.name: expected a string, got ${describe(name)}`);
    const spec = specs.get(name);
    if (spec === undefined) {
      throw invalidInput(`${path}.name: expected one of ${nameList(specs.keys())}, got ${describe(name)}`);
    }
    if (seen.has(name)) throw invalidInput(`${path}.name: duplicate input ${JSON.stringify(name)}`);
    seen.add(name);
    const datatype = input.datatype;
    if (datatype !== spec.datatype) {
      const note = isDataType(datatype) ? '' : ' (not a KServe datatype)';
      throw invalidInput(`${path}.datatype: expected ${spec.datatype}, got ${describe(datatype)}${note}`);
    }
    const params = optionalObject(input.parameters, `${path}.parameters`);
    const isBinary = params !== undefined && 'binary_data_size' in params;
    if (isBinary && binary === undefined) {
      throw invalidInput(`${path}.parameters.binary_data_size: binary tensor data is not supported in a plain ` +
        'JSON body; send "data" as JSON, or send the Inference-Header-Content-Length header with the tensor bytes after the JSON');
    }
    if (isBinary && input.data !== undefined) {
      throw invalidInput(`${path}: expected either "data" or parameters.binary_data_size, not both`);
    }
    const shape = decodeShape(input.shape, spec, model.maxBatchSize, `${path}.shape`);
    const size = shape[0] as number;
    if (model.maxBatchSize > 0 && batch !== undefined && batch.size !== size) {
      throw invalidInput(`${path}.shape[0]: expected batch size ${batch.size} (as ${batch.from}), got ${size}`);
    }
    batch ??= { size, from: path };
    const data = isBinary && binary !== undefined
      ? binary.take(params?.binary_data_size, spec, shape, path)
      : decodeData(input.data, spec, shape, `${path}.data`);
    const tensor: Tensor = { datatype: spec.datatype, shape, data };
    setOwn(inputs, name, tensor);
  }
  const missing = model.inputs.filter((s) => !seen.has(s.name)).map((s) => s.name);
  if (missing.length > 0) throw invalidInput(`inputs: missing declared input(s) ${nameList(missing)}`);
  binary?.finish();
  return inputs;
}

function decodeOutputs(raw: unknown, model: ModelSignature): RequestedOutput[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw invalidInput(`outputs: expected an array, got ${describe(raw)}`);
  const declared = new Set(model.outputs.map((s) => s.name));
  const seen = new Set<string>();
  const outputs: RequestedOutput[] = [];
  for (let i = 0; i < raw.length; i++) {
    const path = `outputs[${i}]`;
    const out: unknown = raw[i];
    if (!isObject(out)) throw invalidInput(`${path}: expected an object, got ${describe(out)}`);
    const name = out.name;
    if (typeof name !== 'string') throw invalidInput(`${path}.name: expected a string, got ${describe(name)}`);
    if (!declared.has(name)) {
      throw invalidInput(`${path}.name: expected one of ${nameList(declared)}, got ${describe(name)}`);
    }
    if (seen.has(name)) throw invalidInput(`${path}.name: duplicate output ${JSON.stringify(name)}`);
    seen.add(name);
    const parameters = optionalObject(out.parameters, `${path}.parameters`);
    outputs.push(parameters === undefined ? { name } : { name, parameters });
  }
  return outputs.length > 0 ? outputs : undefined;
}

/**
 * Validates a parsed inference request against the model and decodes its tensors.
 * `options.binary`: the body's binary section, when the request came with
 * Inference-Header-Content-Length (binary-request.ts builds it).
 */
export function decodeInferRequest(
  body: unknown, model: ModelSignature, options: DecodeInferRequestOptions = {},
): InferRequest {
  if (!isObject(body)) throw invalidInput(`request body: expected a JSON object, got ${describe(body)}`);
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw invalidInput(`id: expected a string, got ${describe(id)}`);
  const parameters = optionalObject(body.parameters, 'parameters') ?? {};
  const inputs = decodeInputs(body.inputs, model, options.binary);
  const outputs = decodeOutputs(body.outputs, model);
  return {
    ...(id === undefined ? {} : { id }), inputs, ...(outputs === undefined ? {} : { outputs }), parameters,
  };
}
