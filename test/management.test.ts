import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, postJson, getJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

/**
 * The control plane: explicit model control, load/unload, index, stats and
 * config behind scoped tokens, path traversal refused, every action audited.
 */
const TOKENS = { admin: 'admin-secret-0123456789', reader: 'reader-secret-0123456789' };
let dir: string;
let repository: string;
let auditFile: string;
let server: RunningGateway;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'modelgate-mgmt-'));
  repository = path.join(dir, 'models');
  for (const model of ['add_sub', 'versions', 'identity_fp32']) {
    cpSync(path.join(FIXTURE_REPOSITORY, model), path.join(repository, model), { recursive: true });
  }
  // A symlink that leads out of the repository must never be served or loaded.
  symlinkSync(path.join(FIXTURE_REPOSITORY, 'add_sub'), path.join(repository, 'escape'));
  const tokensFile = path.join(dir, 'tokens.yaml');
  writeFileSync(tokensFile, [
    'tokens:',
    `  - {name: admin, token: ${TOKENS.admin}, scopes: [read, load]}`,
    `  - {name: reader, token: ${TOKENS.reader}, scopes: [read]}`,
  ].join('\n'));
  auditFile = path.join(dir, 'audit.jsonl');
  server = await startGateway({
    modelRepository: repository,
    modelControlMode: 'explicit',
    loadModel: ['add_sub'],
    managementTokens: tokensFile,
    auditLog: auditFile,
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (who: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[who]}` });
const manage = (action: string, model: string, who: keyof typeof TOKENS = 'admin') =>
  postJson(`${server.url}/v2/repository/models/${model}/${action}`, {}, as(who));
const auditLines = () => readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);

test('explicit mode loads only the named models; the index lists every model with its state', async () => {
  const index = await postJson(`${server.url}/v2/repository/index`, {}, as('reader'));
  assert.equal(index.status, 200);
  const byName = Object.fromEntries(index.body.map((e: { name: string; state: string }) => [e.name, e.state]));
  assert.deepEqual(byName, { add_sub: 'READY', identity_fp32: 'UNAVAILABLE', versions: 'UNAVAILABLE' });
  assert.equal((await postJson(`${server.url}/v2/models/versions/infer`, {})).status, 404);
});

test('management calls without, with a wrong, and with an under-scoped token are refused and audited', async () => {
  const none = await postJson(`${server.url}/v2/repository/models/versions/load`, {});
  assert.equal(none.status, 401);
  assert.match(none.body.error, /Bearer/);
  const wrong = await postJson(`${server.url}/v2/repository/models/versions/load`, {}, { authorization: 'Bearer not-a-valid-token-at-all' });
  assert.equal(wrong.status, 401);
  const reader = await manage('load', 'versions', 'reader');
  assert.equal(reader.status, 403);
  assert.match(reader.body.error, /token "reader" lacks the "load" scope/);
  const denied = auditLines().filter((l) => l.result === 'denied');
  assert.deepEqual(denied.map((l) => l.who), ['anonymous', 'unknown', 'reader']);
  assert.ok(denied.every((l) => l.action === 'model load' && l.model === 'versions'));
});

test('load, infer, unload: the model follows the management API', async () => {
  const loaded = await manage('load', 'versions');
  assert.equal(loaded.status, 200, loaded.text);
  const request = { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] };
  const served = await postJson(`${server.url}/v2/models/versions/infer`, request);
  assert.deepEqual(served.body.outputs[0].data, [4]);
  const stats = await getJson(`${server.url}/v2/models/versions/versions/3/stats`);
  assert.equal(stats.status, 401, 'stats need a token');
  const withToken = await fetch(`${server.url}/v2/models/versions/versions/3/stats`, { headers: as('reader') }).then((r) => r.json()) as any;
  const entry = withToken.model_stats[0];
  assert.equal(entry.name, 'versions');
  assert.equal(entry.version, '3');
  assert.equal(entry.inference_stats.success.count, 1);
  assert.ok(entry.inference_stats.success.ns > 0);
  assert.equal(entry.execution_count, 1);
  assert.equal(entry.batch_stats[0].batch_size, 1);
  const config = await fetch(`${server.url}/v2/models/versions/config`, { headers: as('reader') }).then((r) => r.json()) as any;
  assert.equal(config.max_batch_size, 8);
  assert.deepEqual(config.input[0], { name: 'INPUT0', datatype: 'FP32', shape: [-1, -1] });
  const unloaded = await manage('unload', 'versions');
  assert.equal(unloaded.status, 200);
  assert.equal((await postJson(`${server.url}/v2/models/versions/infer`, request)).status, 503);
  assert.equal((await getJson(`${server.url}/v2/health/ready`)).status, 200, 'an unloaded model does not hold readiness back');
  const actions = auditLines().filter((l) => l.result === 'ok').map((l) => `${l.who} ${l.action} ${l.model}`);
  assert.deepEqual(actions, ['admin load versions', 'admin unload versions']);
});

test('path traversal in every spelling is refused, logged, and touches nothing', async () => {
  for (const name of ['..', '..%2F..%2Fetc', '%2Fetc%2Fpasswd', '.hidden', 'a..b', '%2e%2e']) {
    const response = await manage('load', name);
    assert.ok([400, 404].includes(response.status), `${name}: ${response.status}`);
    assert.doesNotMatch(response.text, /\/etc|\/tmp|modelgate-mgmt/);
  }
  const escape = await manage('load', 'escape');
  assert.equal(escape.status, 404, 'a symlink out of the repository is not a model');
  const refused = auditLines().filter((l) => l.result === 'refused' || (l.result === 'failed' && l.action === 'load'));
  assert.ok(refused.length >= 5, JSON.stringify(refused));
});

test('32 concurrent load/unload loops on one model end consistent', async () => {
  const results = await Promise.all(Array.from({ length: 32 }, (_, i) => manage(i % 2 === 0 ? 'load' : 'unload', 'identity_fp32')));
  assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.status)));
  // Operations are serialized in arrival order: whichever came last decides, and nothing is half-done.
  const model = server.gateway.registry.model('identity_fp32');
  assert.ok(model.versions.size <= 1);
  for (const version of model.versions.values()) assert.equal(version.state, 'READY');
  const final = await manage('load', 'identity_fp32');
  assert.equal(final.status, 200);
  assert.equal(model.versions.size, 1);
  assert.equal([...model.versions.values()][0]!.state, 'READY');
  const ok = await postJson(`${server.url}/v2/models/identity_fp32/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] });
  assert.deepEqual(ok.body.outputs[0].data, [1, 2]);
});

test('a truncated model in a new version fails that load and leaves the old version serving', async () => {
  await manage('load', 'versions');
  const broken = path.join(repository, 'versions', '4');
  cpSync(path.join(repository, 'versions', '3'), broken, { recursive: true });
  const bytes = readFileSync(path.join(broken, 'model.onnx'));
  writeFileSync(path.join(broken, 'model.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  const failed = await manage('load', 'versions');
  assert.equal(failed.status, 200, 'version 3 still serves, so the model loaded');
  const index = await postJson(`${server.url}/v2/repository/index`, {}, as('reader'));
  const four = index.body.find((e: { name: string; version?: string }) => e.name === 'versions' && e.version === '4');
  assert.equal(four.state, 'UNAVAILABLE');
  assert.match(four.reason, /failed to load/);
  const served = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] });
  assert.equal(served.body.model_version, '3');
});
