import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, getJson, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => server.close());

test('an invalid config fails that model with its reason; the others still load', async () => {
  const bad = server.gateway.registry.model('bad_config');
  assert.match(bad.error ?? '', /config\.yaml: max_batch_size: .*number/i);
  assert.equal(bad.versions.size, 0);
  const { status, body } = await postJson(`${server.url}/v2/models/bad_config/infer`, { inputs: [] });
  assert.equal(status, 503);
  assert.match(body.error, /no ready version .*max_batch_size/);
  assert.equal((await getJson(`${server.url}/v2/models/add_sub`)).status, 200);
});

test('strict readiness: the server is not ready while one model failed', async () => {
  const { status, body } = await getJson(`${server.url}/v2/health/ready`);
  assert.equal(status, 400);
  assert.match(body.error, /not every model/);
});

test('version policy latest 2 serves 2 and 3; 0/ and latest/ are not versions', async () => {
  const meta = await getJson(`${server.url}/v2/models/versions`);
  assert.deepEqual(meta.body.versions, ['2', '3']);
  const request = { inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', data: [10, 20] }] };
  const latest = await postJson(`${server.url}/v2/models/versions/infer`, request);
  assert.equal(latest.body.model_version, '3');
  assert.deepEqual(latest.body.outputs[0].data, [13, 23]);
  const two = await postJson(`${server.url}/v2/models/versions/versions/2/infer`, request);
  assert.deepEqual(two.body.outputs[0].data, [12, 22]);
  for (const version of ['1', '0', 'latest', '01']) {
    const missing = await postJson(`${server.url}/v2/models/versions/versions/${version}/infer`, request);
    assert.equal(missing.status, 404, version);
    assert.match(missing.body.error, /has no served version .*served: 2, 3/);
  }
});

test('a model without config.yaml is auto-completed from the ONNX file', async () => {
  const { status, body } = await getJson(`${server.url}/v2/models/no_config`);
  assert.equal(status, 200);
  assert.equal(body.platform, 'onnx_onnxv1');
  assert.ok(body.inputs.length > 0 && body.inputs[0].shape[0] === -1, JSON.stringify(body.inputs));
  const input = body.inputs[0];
  const elements = input.shape.slice(1).reduce((a: number, b: number) => a * Math.max(b, 1), 1);
  const infer = await postJson(`${server.url}/v2/models/no_config/infer`, {
    inputs: [{ name: input.name, datatype: input.datatype, shape: [1, ...input.shape.slice(1).map((d: number) => Math.max(d, 1))], data: new Array(elements).fill(1) }],
  });
  assert.equal(infer.status, 200, JSON.stringify(infer.body));
});

test('outputs selection computes only the named outputs', async () => {
  const inputs = [
    { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
    { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
  ];
  const both = await postJson(`${server.url}/v2/models/add_sub/infer`, { inputs });
  assert.deepEqual(both.body.outputs.map((o: { name: string }) => o.name), ['OUTPUT0', 'OUTPUT1']);
  const one = await postJson(`${server.url}/v2/models/add_sub/infer`, { inputs, outputs: [{ name: 'OUTPUT1' }] });
  assert.deepEqual(one.body.outputs, [{ name: 'OUTPUT1', datatype: 'FP32', shape: [1, 4], data: [0, 1, 2, 3] }]);
});

test('a version whose manifest.lock disagrees with its files refuses to load; the others serve', async () => {
  const { mkdtempSync, cpSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { hashVersionFiles, formatLock } = await import('../gateway/repository/manifest.ts');
  const repository = mkdtempSync(path.join(tmpdir(), 'modelgate-lock-'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), path.join(repository, 'versions'), { recursive: true });
  for (const version of ['2', '3']) {
    const dir = path.join(repository, 'versions', version);
    writeFileSync(path.join(dir, 'manifest.lock'), formatLock(await hashVersionFiles(dir)));
  }
  // Tamper with version 3 after its lock was written.
  writeFileSync(path.join(repository, 'versions', '3', 'MODEL_CARD.md'), 'changed after publishing\n');
  const { startGateway: start } = await import('./helpers/gateway.ts');
  const tampered = await start({ modelRepository: repository });
  try {
    const three = tampered.gateway.registry.model('versions').versions.get(3)!;
    assert.equal(three.state, 'UNAVAILABLE');
    assert.match(three.reason ?? '', /manifest\.lock disagrees with the files: .*MODEL_CARD\.md/);
    const meta = await getJson(`${tampered.url}/v2/models/versions`);
    assert.deepEqual(meta.body.versions, ['2']);
  } finally {
    await tampered.close();
    rmSync(repository, { recursive: true, force: true });
  }
});
