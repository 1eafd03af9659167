import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, postJson, getJson, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: SAMPLE_REPOSITORY, maxBodyBytes: 64 * 1024 });
});
after(async () => server.close());

const iris = () => `${server.url}/v2/models/iris/infer`;
const input = (overrides: Record<string, unknown> = {}) => ({ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2], ...overrides });

/** Asserts a clean client error: status, `{"error"}` naming the expectation, no internals. */
function assertClientError(result: { status: number; body: any; text: string }, status: number, message: RegExp): void {
  assert.equal(result.status, status, result.text);
  assert.deepEqual(Object.keys(result.body ?? {}), ['error'], result.text);
  assert.match(result.body.error, message);
  assert.doesNotMatch(result.text, /node_modules|\/work\/|\/home\/|\/tmp\/|\.ts:\d+|at [A-Za-z.]+ \(/);
}

const cases: { name: string; url?: () => string; body: unknown; status: number; message: RegExp }[] = [
  { name: 'malformed JSON', body: '{"inputs": [', status: 400, message: /JSON/i },
  { name: 'not an object', body: '[1,2,3]', status: 400, message: /object/i },
  { name: 'no inputs', body: {}, status: 400, message: /inputs/ },
  { name: 'missing input', url: () => `${server.url}/v2/models/iris_petal_width/infer`, body: { inputs: [{ name: 'numeric', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, status: 400, message: /species/ },
  { name: 'unknown input', body: { inputs: [input(), input({ name: 'extra' })] }, status: 400, message: /inputs\[1\]\.name.*extra/ },
  { name: 'wrong datatype', body: { inputs: [input({ datatype: 'FP64' })] }, status: 400, message: /inputs\[0\]\.datatype.*FP32/ },
  { name: 'unknown datatype', body: { inputs: [input({ datatype: 'FLOAT' })] }, status: 400, message: /inputs\[0\]\.datatype/ },
  { name: 'wrong rank', body: { inputs: [input({ shape: [4] })] }, status: 400, message: /inputs\[0\]\.shape.*\[-1, 4\]/ },
  { name: 'wrong fixed dim', body: { inputs: [input({ shape: [1, 5], data: [1, 2, 3, 4, 5] })] }, status: 400, message: /inputs\[0\]\.shape/ },
  { name: 'batch over max_batch_size', body: { inputs: [input({ shape: [65, 4], data: new Array(260).fill(1) })] }, status: 400, message: /inputs\[0\]\.shape.*64/ },
  { name: 'element count mismatch', body: { inputs: [input({ shape: [2, 4] })] }, status: 400, message: /inputs\[0\]\.data.*8.*4/ },
  { name: 'huge declared shape, tiny data', body: { inputs: [input({ shape: [1e12, 4] })] }, status: 400, message: /inputs\[0\]\.shape|inputs\[0\]\.data/ },
  { name: 'non-numeric element', body: { inputs: [input({ data: [1, 'x', 3, 4] })] }, status: 400, message: /inputs\[0\]\.data\[1\]/ },
  { name: 'negative dim', body: { inputs: [input({ shape: [-1, 4] })] }, status: 400, message: /inputs\[0\]\.shape/ },
  { name: 'unknown output', body: { inputs: [input()], outputs: [{ name: 'nope' }] }, status: 400, message: /outputs\[0\]\.name.*nope/ },
  { name: 'nesting deeper than 100', body: `{"inputs":${'['.repeat(5000)}${']'.repeat(5000)}}`, status: 400, message: /deep|nest/i },
  { name: 'body over the limit', body: JSON.stringify({ inputs: [input({ data: new Array(20000).fill(1.2345) })] }), status: 413, message: /at most 65536 bytes/ },
];

for (const c of cases) {
  test(`bad request: ${c.name}`, async () => {
    assertClientError(await postJson((c.url ?? iris)(), c.body), c.status, c.message);
  });
}

test('unknown model and version are 404 with the name in the message', async () => {
  assertClientError(await postJson(`${server.url}/v2/models/nope/infer`, { inputs: [input()] }), 404, /model "nope"/);
  assertClientError(await postJson(`${server.url}/v2/models/iris/versions/9/infer`, { inputs: [input()] }), 404, /version "9"/);
  const meta = await getJson(`${server.url}/v2/models/nope`);
  assert.equal(meta.status, 404);
  const route = await getJson(`${server.url}/v2/nothing-here`);
  assert.equal(route.status, 404);
  assert.match(route.body.error, /no route/);
});

test('after every bad request the server still serves', async () => {
  for (const c of cases) await postJson((c.url ?? iris)(), c.body);
  const ok = await postJson(iris(), { inputs: [input()] });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.outputs[1].data[0], 0);
  assert.equal(server.gateway.state.inFlight, 0);
});

test('a chunked body that grows past the limit is cut off with 413', async () => {
  const { request } = await import('node:http');
  const url = new URL(iris());
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = '1'.repeat(16 * 1024);
    req.write('{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[');
    for (let i = 0; i < 8; i += 1) req.write(chunk);
    req.end(']}]}');
  });
  assert.equal(status, 413);
  assert.equal((await postJson(iris(), { inputs: [input()] })).status, 200);
});
