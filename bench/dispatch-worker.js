// Worker for bench/dispatch-overhead.ts. Plain JS: no loader in the worker thread.
// - any task without `kind` is echoed (a `{ data: Float32Array }` one answers with a
//   moved buffer, as the gateway's workers do): piscina's dispatch cost alone;
// - `{ kind: 'iris', data }` runs the iris session opened from workerData.modelPath and
//   answers how long `session.run` took inside the worker, in µs.
import { move, workerData } from 'piscina';
import * as ort from 'onnxruntime-node';

const session = workerData?.modelPath === undefined
  ? undefined
  : await ort.InferenceSession.create(workerData.modelPath, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
  });

export default async function task(request) {
  if (request !== null && typeof request === 'object') {
    if (request.kind === 'iris' && session !== undefined) {
      const started = performance.now();
      await session.run({ input: new ort.Tensor('float32', request.data, [1, 4]) });
      return { runUs: (performance.now() - started) * 1000 };
    }
    if (request.data instanceof Float32Array) return move(new Float32Array(request.data.length));
  }
  return request;
}
