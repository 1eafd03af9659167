import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => server.close());

/** Parses Prometheus text into `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

const value = (series: Map<string, number>, key: string): number => {
  const found = series.get(key);
  assert.notEqual(found, undefined, `missing series ${key}`);
  return found!;
};

test('requests are counted by outcome and the latency histogram counts every one of them', async () => {
  const reshape = (shape: number[]) => ({
    inputs: [{ name: 'INPUT0', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'SHAPE', shape: [2], datatype: 'INT64', data: shape }],
  });
  const url = `${server.url}/v2/models/fails_at_runtime/infer`;
  const statuses = await Promise.all([
    postJson(url, reshape([2, 2])), postJson(url, reshape([1, 4])), postJson(url, reshape([4, 1])), // success
    postJson(url, reshape([3, 2])), postJson(url, reshape([2, 3])), // runtime errors
    postJson(url, { inputs: [] }), postJson(url, '{not json'), // client errors
  ]).then((results) => results.map((r) => r.status));
  assert.deepEqual(statuses.sort(), [200, 200, 200, 400, 400, 500, 500]);
  const series = await scrape();
  const labels = 'model="fails_at_runtime",version="1"';
  const count = (outcome: string) => value(series, `modelgate_inference_requests_total{${labels},outcome="${outcome}"}`);
  assert.equal(count('success'), 3);
  assert.equal(count('runtime_error'), 2);
  assert.equal(count('client_error'), 2);
  assert.equal(count('timeout') + count('rejected') + count('client_closed'), 0);
  assert.equal(value(series, `modelgate_request_duration_seconds_count{${labels}}`), 7, 'histogram count equals the request counter');
  assert.equal(value(series, `modelgate_request_duration_seconds_bucket{le="+Inf",${labels}}`), 7);
  // Only requests that passed validation reach the queue and a worker.
  assert.equal(value(series, `modelgate_queue_duration_seconds_count{${labels}}`), 5);
  assert.equal(value(series, `modelgate_compute_duration_seconds_count{${labels}}`), 5);
  assert.equal(value(series, `modelgate_batch_size_rows_count{${labels}}`), 5);
});

test('batch sizes, live gauges, state and model info', async () => {
  const url = `${server.url}/v2/models/batching/infer`;
  await Promise.all(Array.from({ length: 8 }, (_, i) => postJson(url, { inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', data: [i, i] }] })));
  const series = await scrape();
  const labels = 'model="batching",version="1"';
  const batches = value(series, `modelgate_batch_size_rows_count{${labels}}`);
  assert.equal(value(series, `modelgate_batch_size_rows_sum{${labels}}`), 8);
  assert.ok(batches < 8, `8 concurrent rows in ${batches} batches`);
  assert.equal(value(series, `modelgate_queue_depth{${labels}}`), 0);
  assert.equal(value(series, `modelgate_inflight_requests{${labels}}`), 0);
  assert.equal(value(series, `modelgate_model_ready{${labels}}`), 1);
  assert.equal(value(series, `modelgate_model_state{${labels},state="READY"}`), 1);
  assert.equal(value(series, `modelgate_model_state{${labels},state="LOADING"}`), 0);
  const info = [...series.keys()].find((k) => k.startsWith('modelgate_model_info{') && k.includes(labels));
  assert.ok(info, 'model_info for the batching model');
  assert.match(info, /runtime="onnxruntime",runtime_version="1\.\d+\.\d+",execution_provider="cpu",artifact_sha256="[0-9a-f]{64}"/);
  assert.ok([...series.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total')), 'process metrics');
  // Never a request id or other unbounded label.
  for (const key of series.keys()) assert.doesNotMatch(key, /id="/);
});
