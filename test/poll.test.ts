import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, postJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

/**
 * Poll mode: a version published by the documented procedure (write elsewhere,
 * rename into the repository) goes live under load with no failed request; a
 * removed version drains and unloads; a version still being written is not served.
 */
test('poll mode publishes and retires versions under load without a failed request', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-poll-'));
  const repository = path.join(dir, 'models');
  mkdirSync(repository);
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions', '1'), path.join(repository, 'versions', '1'), { recursive: true });
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions', 'config.yaml'), path.join(repository, 'versions', 'config.yaml'));
  const server = await startGateway({ modelRepository: repository, modelControlMode: 'poll', repositoryPollSeconds: 0.2 });
  let stop = false;
  const statuses = new Map<number, number>();
  const served = new Set<string>();
  const load = (async () => {
    while (!stop) {
      const response = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) served.add(response.body.model_version);
    }
  })();
  try {
    const latest = async (want: string) => {
      for (let i = 0; i < 150; i += 1) {
        const r = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
        if (r.body?.model_version === want) return;
        await sleep(100);
      }
      assert.fail(`version ${want} never became the latest`);
    };
    await sleep(300);
    // A half-written version: the folder exists and its model keeps growing for several polls.
    // Its fingerprint never holds still, so poll mode must not even try to load it.
    const partial = path.join(repository, 'versions', '2');
    mkdirSync(partial);
    const bytes = readFileSync(path.join(FIXTURE_REPOSITORY, 'versions', '2', 'model.onnx'));
    const model = server.gateway.registry.model('versions');
    for (let written = 16; written < bytes.length && written < 16 * 12; written += 16) {
      writeFileSync(path.join(partial, 'model.onnx'), bytes.subarray(0, written));
      await sleep(100);
      assert.equal(model.versions.has(2), false, 'a version still being written was picked up');
    }
    rmSync(partial, { recursive: true });
    // The publishing procedure: write next to the repository, then rename into place.
    const staging = path.join(dir, 'staging-3');
    cpSync(path.join(FIXTURE_REPOSITORY, 'versions', '3'), staging, { recursive: true });
    renameSync(staging, path.join(repository, 'versions', '3'));
    await latest('3');
    // Retire version 3: it drains and the remaining one serves again.
    rmSync(path.join(repository, 'versions', '3'), { recursive: true });
    await latest('1');
  } finally {
    stop = true;
    await load;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual([...statuses.keys()], [200], `statuses: ${JSON.stringify([...statuses])}`);
  assert.ok(served.has('1') && served.has('3'));
  assert.ok(!served.has('2'), 'the half-written version was never served');
});
