import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NamedTensors, TensorSpec } from '../../runtimes/tensor.ts';
import { elementCount } from '../../runtimes/tensor.ts';
import type { WarmupConfig } from '../repository/model-config.ts';
import type { ServedSignature } from '../repository/resolve-config.ts';
import { allocateTensorData } from '../protocol/datatypes.ts';
import { numberToFp16Bits } from '../protocol/fp16.ts';
import { parseJsonBody } from '../protocol/json-body.ts';
import { decodeInferRequest } from '../protocol/infer-request.ts';

type Run = (inputs: NamedTensors, outputs: readonly string[]) => Promise<unknown>;

/**
 * Runs a version's warmup before it turns READY: `runs` rounds of `instances`
 * concurrent inferences (so every worker's session is exercised). A failing
 * warmup fails the load with the runtime's reason.
 */
export async function warmUp(config: WarmupConfig, signature: ServedSignature, versionDirectory: string, instances: number, run: Run): Promise<void> {
  const outputs = signature.outputs.map((o) => o.name);
  const requests = config.inputs === 'file' ? await fileRequests(config.file!, versionDirectory, signature) : undefined;
  for (let round = 0; round < config.runs; round += 1) {
    await Promise.all(Array.from({ length: instances }, (_, i) => {
      // Inputs are transferred to the worker: every run gets fresh tensors.
      const inputs = requests !== undefined ? requests(round * instances + i) : generated(signature.inputs, config.inputs === 'random');
      return run(inputs, outputs);
    }));
  }
}

function generated(specs: readonly TensorSpec[], random: boolean): NamedTensors {
  const inputs: NamedTensors = {};
  for (const spec of specs) {
    const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
    const data = allocateTensorData(spec.datatype, elementCount(shape));
    if (random) fillRandom(spec.datatype, data);
    inputs[spec.name] = { datatype: spec.datatype, shape, data };
  }
  return inputs;
}

/** Plausible values per datatype: floats in [0, 1), integers in 0..9, booleans, short strings. */
function fillRandom(datatype: string, data: ReturnType<typeof allocateTensorData>): void {
  for (let i = 0; i < data.length; i += 1) {
    const u = Math.random();
    if (Array.isArray(data)) data[i] = `w${Math.floor(u * 1000)}`;
    else if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(u * 10));
    else if (datatype === 'FP16') data[i] = numberToFp16Bits(u);
    else if (datatype === 'FP32' || datatype === 'FP64') data[i] = u;
    else if (datatype === 'BOOL') data[i] = u < 0.5 ? 0 : 1;
    else data[i] = Math.floor(u * 10);
  }
}

/** The requests of a warmup file (one KServe v2 body or a list), decoded anew for every run. */
async function fileRequests(file: string, versionDirectory: string, signature: ServedSignature): Promise<(run: number) => NamedTensors> {
  // The name is validated by the config schema: no separators, so it stays in the version directory.
  const text = await readFile(path.join(versionDirectory, path.basename(file)), 'utf8').catch(() => {
    throw new Error(`warmup file "${file}" cannot be read in the version directory`);
  });
  const parsed = parseJsonBody(text, { maxDepth: 100 });
  const bodies = Array.isArray(parsed) ? parsed : [parsed];
  if (bodies.length === 0) throw new Error(`warmup file "${file}" holds no request`);
  bodies.forEach((body) => decodeInferRequest(body, signature)); // fail the load on a bad file, before any run
  return (run) => decodeInferRequest(bodies[run % bodies.length], signature).inputs;
}
