import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

/** `versions` fixture: version N answers INPUT0 + N, so the answer names the version. */
let dir: string;
let server: RunningGateway;
const TOKEN = 'traffic-secret-0123456789';

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'modelgate-traffic-'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), path.join(dir, 'models', 'versions'), { recursive: true });
  writeFileSync(path.join(dir, 'models', 'versions', 'traffic.yaml'), 'versions:\n  - {version: 2, weight: 80}\n  - {version: 3, weight: 20}\n');
  writeFileSync(path.join(dir, 'tokens.yaml'), `tokens:\n  - {name: release, token: ${TOKEN}, scopes: [read, traffic]}\n`);
  server = await startGateway({ modelRepository: path.join(dir, 'models'), managementTokens: path.join(dir, 'tokens.yaml') });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const infer = async (headers: Record<string, string> = {}, version?: number) => {
  const url = `${server.url}/v2/models/versions${version === undefined ? '' : `/versions/${version}`}/infer`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] }) });
  const body = (await response.json()) as { model_version: string; outputs: { data: number[] }[] };
  assert.equal(response.headers.get('x-modelgate-version'), body.model_version, 'the response header names the version that served');
  assert.equal(body.outputs[0]!.data[0], Number(body.model_version), 'and that version computed the answer');
  return body.model_version;
};

test('weights split traffic within statistical tolerance', async () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 600; i += 1) {
    const version = await infer();
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  // Binomial(600, 0.2): sd ≈ 9.8 requests; 4 sd either side.
  const canary = counts.get('3') ?? 0;
  assert.ok(Math.abs(canary - 120) < 40, JSON.stringify([...counts]));
});

test('a sticky key keeps its version; an explicit version in the URL always wins', async () => {
  for (const key of ['alice', 'bob', 'carol', 'dave']) {
    const first = await infer({ 'x-modelgate-route-key': key });
    for (let i = 0; i < 10; i += 1) assert.equal(await infer({ 'x-modelgate-route-key': key }), first, key);
  }
  assert.equal(await infer({}, 2), '2');
  assert.equal(await infer({}, 3), '3');
});

test('policy changes through the API are atomic, written to traffic.yaml, and refuse unserved versions', async () => {
  const put = (body: unknown) => fetch(`${server.url}/v2/models/versions/traffic`, {
    method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  // Changing the policy under load drops no request.
  let stop = false;
  const failures: unknown[] = [];
  const load = (async () => {
    while (!stop) await infer().catch((error) => failures.push(error));
  })();
  const changed = await put({ versions: [{ version: 3, weight: 100 }] });
  assert.equal(changed.status, 200);
  await sleep(50);
  stop = true;
  await load;
  assert.deepEqual(failures, []);
  for (let i = 0; i < 20; i += 1) assert.equal(await infer(), '3');
  assert.match(readFileSync(path.join(dir, 'models', 'versions', 'traffic.yaml'), 'utf8'), /version: 3/);
  const unserved = await put({ versions: [{ version: 1, weight: 100 }] });
  assert.equal(unserved.status, 400);
  assert.match(((await unserved.json()) as { error: string }).error, /not served: 1/);
  const anonymous = await fetch(`${server.url}/v2/models/versions/traffic`, { method: 'PUT', body: '{}' });
  assert.equal(anonymous.status, 401);
});

test('an edit of traffic.yaml is picked up by the watcher', async () => {
  writeFileSync(path.join(dir, 'models', 'versions', 'traffic.yaml'), 'versions:\n  - {version: 2, weight: 100}\n');
  for (let i = 0; i < 50 && (await infer()) !== '2'; i += 1) await sleep(100);
  for (let i = 0; i < 20; i += 1) assert.equal(await infer(), '2');
});
