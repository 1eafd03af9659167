import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, postJson, getJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

test('with --inference-auth, inference (v2 and TF Serving) needs a token with the infer scope; health stays open', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-inference-auth-'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'add_sub'), path.join(dir, 'models', 'add_sub'), { recursive: true });
  writeFileSync(path.join(dir, 'tokens.yaml'), [
    'tokens:',
    '  - {name: client, token: client-secret-0123456789, scopes: [infer]}',
    '  - {name: ops, token: ops-secret-0123456789abc, scopes: [read]}',
  ].join('\n'));
  const server = await startGateway({ modelRepository: path.join(dir, 'models'), managementTokens: path.join(dir, 'tokens.yaml'), inferenceAuth: true });
  const body = { inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] })) };
  try {
    assert.equal((await postJson(`${server.url}/v2/models/add_sub/infer`, body)).status, 401);
    assert.equal((await postJson(`${server.url}/v2/models/add_sub/infer`, body, { authorization: 'Bearer ops-secret-0123456789abc' })).status, 403);
    const ok = await postJson(`${server.url}/v2/models/add_sub/infer`, body, { authorization: 'Bearer client-secret-0123456789' });
    assert.equal(ok.status, 200);
    const tf = { instances: [{ INPUT0: [1, 2, 3, 4], INPUT1: [1, 1, 1, 1] }] };
    assert.equal((await postJson(`${server.url}/v1/models/add_sub:predict`, tf)).status, 401);
    assert.equal((await postJson(`${server.url}/v1/models/add_sub:predict`, tf, { authorization: 'Bearer client-secret-0123456789' })).status, 200);
    assert.equal((await getJson(`${server.url}/v2/health/ready`)).status, 200);
    assert.equal((await getJson(`${server.url}/v2/models/add_sub`)).status, 200);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
