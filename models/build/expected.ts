/**
 * expected.json: example KServe v2 requests for one model version and the outputs the
 * exported model.onnx gives for them under onnxruntime-node (one intra-op thread).
 *
 * Floats are the exact float32 results on the build machine; another CPU may differ
 * in the last bits, so consumers compare floats with `atol`/`rtol` and everything
 * else (shapes, datatypes, integer and string data) exactly.
 */
import ort from 'onnxruntime-node';
import { fromOrtTensor, toOrtTensor, type JsonTensor } from './kserve-json.ts';

export interface Example {
  description: string;
  inputs: JsonTensor[];
}

export interface ExpectedFile {
  model: string;
  version: string;
  atol: number;
  rtol: number;
  examples: Array<{ description: string; request: { inputs: JsonTensor[] }; response: { outputs: JsonTensor[] } }>;
}

export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/** Runs one KServe-style request through a session; outputs in the model's declared order. */
export async function runJson(session: ort.InferenceSession, inputs: readonly JsonTensor[]): Promise<JsonTensor[]> {
  const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrtTensor(t)]));
  const results = await session.run(feeds);
  return session.outputNames.map((name) => fromOrtTensor(name, results[name]!));
}

/** expected.json of a version that is not ONNX, from its own framework's results. */
export async function computeExpectedWith(model: string, version: string, run: (inputs: readonly JsonTensor[]) => Promise<JsonTensor[]>, examples: readonly Example[]): Promise<ExpectedFile> {
  const out: ExpectedFile = { model, version, atol: 1e-5, rtol: 1e-4, examples: [] };
  for (const ex of examples) {
    out.examples.push({ description: ex.description, request: { inputs: ex.inputs }, response: { outputs: await run(ex.inputs) } });
  }
  return out;
}

export async function computeExpected(model: string, version: string, onnx: Uint8Array, examples: readonly Example[]): Promise<ExpectedFile> {
  const session = await ort.InferenceSession.create(onnx, SESSION_OPTIONS);
  try {
    const out: ExpectedFile = { model, version, atol: 1e-5, rtol: 1e-4, examples: [] };
    for (const ex of examples) {
      out.examples.push({ description: ex.description, request: { inputs: ex.inputs }, response: { outputs: await runJson(session, ex.inputs) } });
    }
    return out;
  } finally {
    await session.release();
  }
}

/** JSON with two-space indentation, except that arrays of scalars stay on one line. */
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
