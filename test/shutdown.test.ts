import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import { startGateway, getJson, postJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

const BIN = new URL('../bin/modelgate.js', import.meta.url).pathname;
const slowRequest = (value: number) => ({ inputs: [{ name: 'INPUT0', shape: [1, 16], datatype: 'FP32', data: new Array(16).fill(value) }] });

function slowOnlyRepository(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-shutdown-'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'slow'), path.join(dir, 'slow'), { recursive: true });
  return dir;
}

test('SIGTERM under concurrent requests: every accepted request is answered, then exit 0', async () => {
  const repository = slowOnlyRepository();
  const child = spawn(process.execPath, [BIN, 'serve', '--model-repository', repository, '--host', '127.0.0.1', '--port', '0', '--grace-period-seconds', '20'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    for (let i = 0; i < 300 && !log.includes('startup complete'); i += 1) await sleep(20);
    const port = Number(/"port":(\d+)/.exec(log)?.[1]);
    assert.ok(port > 0, `the server logged its port: ${log}`);
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await getJson(`${url}/v2/health/ready`)).status, 200);

    // One worker, ~100 ms a request: these queue up and are still running when SIGTERM lands.
    const requests = Array.from({ length: 6 }, (_, i) => postJson(`${url}/v2/models/slow/infer`, slowRequest(i)));
    await sleep(150);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const results = await Promise.all(requests);
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 200], JSON.stringify(results.map((r) => r.body)));
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    assert.match(log, /"msg":"draining"/);
    assert.match(log, /"forced":false/);
  } finally {
    child.kill('SIGKILL');
    rmSync(repository, { recursive: true, force: true });
  }
});

test('readiness turns false while draining and new inference is refused with 503', async () => {
  const repository = slowOnlyRepository();
  const server = await startGateway({ modelRepository: repository });
  try {
    const inFlight = postJson(`${server.url}/v2/models/slow/infer`, slowRequest(1));
    for (let i = 0; i < 100 && server.gateway.state.inFlight === 0; i += 1) await sleep(5);
    const stopping = server.gateway.shutdown();
    const ready = await server.gateway.app.request('/v2/health/ready');
    assert.equal(ready.status, 400);
    assert.match(((await ready.json()) as { error: string }).error, /shutting down/);
    const refused = await server.gateway.app.request('/v2/models/slow/infer', { method: 'POST', body: JSON.stringify(slowRequest(2)) });
    assert.equal(refused.status, 503);
    assert.equal((await inFlight).status, 200);
    assert.deepEqual(await stopping, { forced: false });
  } finally {
    rmSync(repository, { recursive: true, force: true });
  }
});
