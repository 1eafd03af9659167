/**
 * A small typed builder for ONNX ModelProto messages over `onnx-proto`.
 *
 * Contract:
 * - Element types use our KServe names (runtimes/tensor.ts); BYTES maps to ONNX STRING.
 * - Dims are numbers (fixed) or strings (symbolic, e.g. "batch").
 * - Initializers are stored as little-endian `raw_data` (strings as `string_data`), so
 *   the encoded bytes depend only on the values given: same inputs, same bytes.
 * - The model declares IR version 8 with the default-domain opset 17 (ORT 1.30 loads
 *   both; IR 8 is the version that introduced opset 17 support).
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import type { DataType } from '../../runtimes/tensor.ts';

const { onnx } = onnxProto;

export const IR_VERSION = 8;
export const OPSET = 17;

export type Dim = number | string;

export type InitializerData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

const ELEM_TYPE: Record<DataType, Onnx.TensorProto.DataType> = {
  BOOL: onnx.TensorProto.DataType.BOOL,
  UINT8: onnx.TensorProto.DataType.UINT8,
  UINT16: onnx.TensorProto.DataType.UINT16,
  UINT32: onnx.TensorProto.DataType.UINT32,
  UINT64: onnx.TensorProto.DataType.UINT64,
  INT8: onnx.TensorProto.DataType.INT8,
  INT16: onnx.TensorProto.DataType.INT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  FP32: onnx.TensorProto.DataType.FLOAT,
  FP64: onnx.TensorProto.DataType.DOUBLE,
  BYTES: onnx.TensorProto.DataType.STRING,
};

/** The storage each datatype's initializer data must use (BOOL: 0/1 bytes, FP16: half bits). */
const STORAGE: Record<DataType, string> = {
  BOOL: 'Uint8Array', UINT8: 'Uint8Array', UINT16: 'Uint16Array', UINT32: 'Uint32Array',
  UINT64: 'BigUint64Array', INT8: 'Int8Array', INT16: 'Int16Array', INT32: 'Int32Array',
  INT64: 'BigInt64Array', FP16: 'Uint16Array', FP32: 'Float32Array', FP64: 'Float64Array',
  BYTES: 'Array',
};

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('onnx-builder writes raw_data from typed arrays and needs a little-endian host');
}

/** Attribute values are tagged explicitly: `1` alone cannot tell an int from a float. */
export const attr = {
  int: (i: number): Onnx.IAttributeProto => ({ type: onnx.AttributeProto.AttributeType.INT, i }),
  float: (f: number): Onnx.IAttributeProto => ({ type: onnx.AttributeProto.AttributeType.FLOAT, f }),
  ints: (ints: number[]): Onnx.IAttributeProto => ({ type: onnx.AttributeProto.AttributeType.INTS, ints }),
  floats: (floats: number[]): Onnx.IAttributeProto => ({ type: onnx.AttributeProto.AttributeType.FLOATS, floats }),
  string: (s: string): Onnx.IAttributeProto => ({
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(s),
  }),
};

function valueInfo(name: string, datatype: DataType, dims: readonly Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[datatype],
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function tensorProto(name: string, datatype: DataType, dims: readonly number[], data: InitializerData): Onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
  if (data.constructor.name !== STORAGE[datatype]) {
    throw new Error(`initializer ${name}: ${datatype} needs a ${STORAGE[datatype]}, got ${data.constructor.name}`);
  }
  const base = { name, dims: [...dims], dataType: ELEM_TYPE[datatype] };
  if (Array.isArray(data)) return { ...base, stringData: data.map((s) => new TextEncoder().encode(s)) };
  // Copy so the proto never aliases a caller's buffer (or a slice of a larger one).
  return { ...base, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

export class ModelBuilder {
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly names = new Set<string>();
  private autoName = 0;

  constructor(private readonly graphName: string, private readonly docString = '') {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`${this.graphName}: value ${name} defined twice`);
    this.names.add(name);
    return name;
  }

  /** Declares a graph input; returns its name for use in nodes. */
  input(name: string, datatype: DataType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), datatype, dims));
    return name;
  }

  /** Declares a graph output; some node must produce `name`. */
  output(name: string, datatype: DataType, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, datatype, dims));
    return name;
  }

  /** Adds a constant tensor; returns its name. */
  initializer(name: string, datatype: DataType, dims: readonly number[], data: InitializerData): string {
    this.initializers.push(tensorProto(this.claim(name), datatype, dims, data));
    return name;
  }

  /**
   * Adds a node. Without `outputs` the node gets one generated output name.
   * Returns the first output name, so single-output ops chain: `b.op('Relu', [b.op('Add', [x, y])])`.
   */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Onnx.IAttributeProto> = {}, outputs?: readonly string[]): string {
    const outs = outputs ?? [`${opType.toLowerCase()}_${this.autoName++}`];
    for (const o of outs) this.claim(o);
    const attribute = Object.entries(attrs).map(([attrName, a]) => ({ ...a, name: attrName }));
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, input: [...inputs], output: [...outs], attribute });
    return outs[0]!;
  }

  toProto(): Onnx.ModelProto {
    for (const o of this.outputs) {
      if (!this.names.has(o.name!)) throw new Error(`${this.graphName}: output ${o.name} is never produced`);
    }
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'modelgate-build',
      producerVersion: '1',
      docString: this.docString,
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }

  /** Serialized model bytes, ready to write as model.onnx or pass to InferenceSession.create. */
  encode(): Uint8Array {
    return onnx.ModelProto.encode(this.toProto()).finish();
  }
}
