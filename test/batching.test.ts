import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { request as httpRequest } from 'node:http';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => server.close());

const url = () => `${server.url}/v2/models/batching/infer`;
const rows = (values: number[][]) => ({
  inputs: [{ name: 'INPUT0', shape: [values.length, values[0]!.length], datatype: 'FP32', data: values.flat() }],
});

test('concurrent clients are batched together and each gets exactly its own rows back', async () => {
  const version = server.gateway.registry.resolve('batching');
  const before = { batches: version.statistics.executionCount, requests: version.statistics.dispatchedRequests };
  // 12 clients, 1 or 2 rows each, every value unique to its client and row.
  const requests = Array.from({ length: 12 }, (_, client) =>
    Array.from({ length: 1 + (client % 2) }, (_, row) => [client * 100 + row * 10, client * 100 + row * 10 + 1, client * 100 + row * 10 + 2]));
  const results = await Promise.all(requests.map((values) => postJson(url(), rows(values))));
  results.forEach((result, client) => {
    assert.equal(result.status, 200, result.text);
    const values = requests[client]!;
    assert.deepEqual(result.body.outputs[0].shape, [values.length, 3]);
    assert.deepEqual(result.body.outputs[0].data, values.flat().map((v) => v + 1), `client ${client} got someone else's rows`);
  });
  const batches = version.statistics.executionCount - before.batches;
  assert.equal(version.statistics.dispatchedRequests - before.requests, 12);
  assert.ok(batches < 12, `12 concurrent requests ran in ${batches} batches: no batching happened`);
});

test('requests whose non-batch dims differ are never mixed in one batch', async () => {
  const version = server.gateway.registry.resolve('batching');
  const before = version.statistics.executionCount;
  const narrow = Array.from({ length: 4 }, (_, i) => [[i, i]]);
  const wide = Array.from({ length: 4 }, (_, i) => [[i, i, i, i, i]]);
  const results = await Promise.all([...narrow, ...wide].map((values) => postJson(url(), rows(values))));
  results.forEach((result, i) => {
    assert.equal(result.status, 200, result.text);
    const sent = [...narrow, ...wide][i]!;
    assert.deepEqual(result.body.outputs[0].data, sent.flat().map((v) => v + 1));
  });
  assert.ok(version.statistics.executionCount - before >= 2, 'two shapes need at least two runs');
});

test('a request whose client disconnects while queued is dropped from the queue', async () => {
  // `slow` has one worker: a 4-row request keeps it busy (~400 ms) while the next one waits in the queue.
  const slowUrl = `${server.url}/v2/models/slow/infer`;
  const slowRows = (n: number) => JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [n, 16], datatype: 'FP32', data: new Array(n * 16).fill(0.25) }] });
  const version = server.gateway.registry.resolve('slow');
  const before = version.statistics.dispatchedRequests;
  const busy = postJson(slowUrl, slowRows(4));
  for (let i = 0; i < 500 && version.statistics.dispatchedRequests === before; i += 1) await sleep(2);
  const controller = new AbortController();
  const gone = fetch(slowUrl, { method: 'POST', body: slowRows(1), signal: controller.signal }).catch((e: Error) => e);
  for (let i = 0; i < 500 && version.queueDepth === 0; i += 1) await sleep(2);
  assert.equal(version.queueDepth, 1, 'the second request waits behind the busy worker');
  controller.abort();
  for (let i = 0; i < 500 && version.queueDepth > 0; i += 1) await sleep(2);
  assert.equal(version.queueDepth, 0);
  assert.ok((await gone) instanceof Error);
  assert.equal((await busy).status, 200);
  assert.equal(version.statistics.dispatchedRequests, before + 1, 'the dropped request never ran');
});

test('inference builds no AbortSignal per request: disconnects come from the Node response', async () => {
  // Reading the Fetch request's signal makes the HTTP adapter build an AbortController per
  // request (measured in bench/RESULTS.md); the batcher's cancellation avoids it. The client
  // here is node:http, which builds none itself, so every construction counted is the server's.
  const Original = globalThis.AbortController;
  let constructed = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      constructed += 1;
    }
  };
  const post = (path: string, body: string) => new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  try {
    for (let i = 0; i < 5; i += 1) {
      assert.equal(await post('/v2/models/batching/infer', JSON.stringify(rows([[i, i, i]]))), 200);
    }
  } finally {
    globalThis.AbortController = Original;
  }
  assert.equal(constructed, 0);
});

test('bad scheduling parameters are 400s naming the field', async () => {
  const bad = await postJson(url(), { ...rows([[1]]), parameters: { priority: 7 } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /parameters\.priority/);
  const timeout = await postJson(url(), { ...rows([[1]]), parameters: { timeout: -5 } });
  assert.equal(timeout.status, 400);
  assert.match(timeout.body.error, /parameters\.timeout/);
});
