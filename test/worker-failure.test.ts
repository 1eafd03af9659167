import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_SENTINEL } from '../runtimes/fault-injection.ts';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  process.env.MODELGATE_FAULT_INJECTION = 'worker-exit';
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => {
  delete process.env.MODELGATE_FAULT_INJECTION;
  await server.close();
});

const reshape = (shape: number[]) => ({
  inputs: [
    { name: 'INPUT0', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] },
    { name: 'SHAPE', shape: [2], datatype: 'INT64', data: shape },
  ],
});

test('a run that fails inside the runtime is a 500 for that request only, with no internals', async () => {
  const failed = await postJson(`${server.url}/v2/models/fails_at_runtime/infer`, reshape([3, 2]));
  assert.equal(failed.status, 500);
  assert.match(failed.body.error, /model "fails_at_runtime" version 1 failed to run: .*reshape/i);
  assert.doesNotMatch(failed.text, /\.(cc|h|cpp):\d+|onnxruntime_src|\/home\/|\/usr\/|node_modules|at .*\(/);
  const ok = await postJson(`${server.url}/v2/models/fails_at_runtime/infer`, reshape([2, 2]));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.outputs[0], { name: 'OUTPUT0', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] });
});

test('a worker that dies mid-request gives exactly one 500 and the pool recovers', async () => {
  const row = (first: number) => ({ inputs: [{ name: 'INPUT0', shape: [2, 4], datatype: 'FP32', data: [first, 1, 1, 1, 2, 2, 2, 2] }] });
  const healthy = await postJson(`${server.url}/v2/models/add_sub/infer`, {
    inputs: [row(1).inputs[0], { ...row(1).inputs[0], name: 'INPUT1' }],
  });
  assert.equal(healthy.status, 200);
  const threadsBefore = server.gateway.registry.resolve('add_sub').workerThreads().length;
  const crashingRequest = { inputs: [row(FAULT_SENTINEL).inputs[0], { ...row(1).inputs[0], name: 'INPUT1' }] };
  const results = await Promise.all([
    postJson(`${server.url}/v2/models/add_sub/infer`, crashingRequest),
    postJson(`${server.url}/v2/models/add_sub/infer`, { inputs: [row(5).inputs[0], { ...row(5).inputs[0], name: 'INPUT1' }] }),
  ]);
  assert.equal(results[0].status, 500);
  assert.match(results[0].body.error, /worker running this request stopped unexpectedly/);
  assert.equal(results[1].status, 200, 'a concurrent request on another worker is unaffected');
  assert.deepEqual(results[1].body.outputs[0].data, [10, 2, 2, 2, 4, 4, 4, 4]);
  for (let i = 0; i < 5; i += 1) {
    const next = await postJson(`${server.url}/v2/models/add_sub/infer`, { inputs: [row(3).inputs[0], { ...row(3).inputs[0], name: 'INPUT1' }] });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.deepEqual(next.body.outputs[0].data, [6, 2, 2, 2, 4, 4, 4, 4]);
  }
  // Piscina replaces the dead thread: the pool is back to full size.
  for (let i = 0; i < 100 && server.gateway.registry.resolve('add_sub').workerThreads().length < threadsBefore; i += 1) await sleep(20);
  assert.equal(server.gateway.registry.resolve('add_sub').workerThreads().length, threadsBefore);
});

test('a version whose workers keep dying reports not ready while still serving what it can', async () => {
  const version = server.gateway.registry.resolve('add_sub');
  const crash = { inputs: [
    { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [FAULT_SENTINEL, 0, 0, 0] },
    { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] },
  ] };
  for (let i = 0; i < 3; i += 1) assert.equal((await postJson(`${server.url}/v2/models/add_sub/infer`, crash)).status, 500);
  assert.equal(version.healthy, false);
  const ready = await fetch(`${server.url}/v2/models/add_sub/versions/1/ready`);
  assert.equal(ready.status, 400);
  assert.match(((await ready.json()) as { error: string }).error, /workers keep dying/);
  assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 400);
  // It still serves what it can.
  const ok = await postJson(`${server.url}/v2/models/add_sub/infer`, { inputs: [crash.inputs[1], { ...crash.inputs[1], name: 'INPUT1' }].map((t, i) => ({ ...t, name: `INPUT${i}` })) });
  assert.equal(ok.status, 200);
});
