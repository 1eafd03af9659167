// Worker of bench/ort-ceiling.ts. Plain JS: no loader in the worker thread.
// Opens one session (workerData.modelPath, one intra-op thread, the gateway's session
// options), says `ready`, then for each `{ batch, ms }` runs session.run back to back on a
// batch of that many rows until `ms` have passed and answers `{ runs, rows, seconds }`.
// No hand-off per run: this is what N sessions can compute with nothing in between.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

const { modelPath, input, rowShape, rowValues } = workerData;
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
});
const feeds = new Map();
const feedsFor = (batch) => {
  let f = feeds.get(batch);
  if (f === undefined) {
    const rowSize = rowValues.length;
    const data = new Float32Array(batch * rowSize);
    for (let r = 0; r < batch; r++) data.set(rowValues, r * rowSize);
    f = { [input]: new ort.Tensor('float32', data, [batch, ...rowShape]) };
    feeds.set(batch, f);
  }
  return f;
};

parentPort.on('message', async ({ batch, ms }) => {
  const f = feedsFor(batch);
  const started = performance.now();
  const deadline = started + ms;
  let runs = 0;
  do {
    await session.run(f);
    runs++;
  } while (performance.now() < deadline);
  parentPort.postMessage({ runs, rows: runs * batch, seconds: (performance.now() - started) / 1000 });
});
parentPort.postMessage('ready');
