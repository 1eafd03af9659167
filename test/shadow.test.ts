import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, postJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

/** `versions` fixture (version N answers INPUT0 + N) with every version served and a copy of 2 as 4. */
test('shadow traffic: agreement and disagreement are counted, the primary is never affected, busy shadows are shed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-shadow-'));
  const model = path.join(dir, 'versions');
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), model, { recursive: true });
  cpSync(path.join(model, '2'), path.join(model, '4'), { recursive: true });
  const config = path.join(model, 'config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^version_policy: .*$/m, 'version_policy: {all: {}}'));
  const policy = (shadow: number, extra = '') => writeFileSync(path.join(model, 'traffic.yaml'),
    `versions:\n  - {version: 2, weight: 100}\nshadow: {version: ${shadow}, share: 1${extra}}\n`);
  policy(4);
  const server = await startGateway({ modelRepository: dir });
  const metric = async (shadow: number, outcome: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = new RegExp(`^modelgate_shadow_requests_total\\{model="versions",version="2",shadow_version="${shadow}",outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
    return Number(line?.[1] ?? 0);
  };
  // One column: a regression-like output, compared by relative error (3 vs 4 disagrees).
  /** Mirrors finish after the primary answered: wait (bounded) until the counter reaches `want`. */
  const until = async (shadow: number, outcome: string, want: number) => {
    for (let i = 0; i < 100 && (await metric(shadow, outcome)) < want; i += 1) await sleep(50);
    return metric(shadow, outcome);
  };
  const send = () => postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] });
  try {
    for (let i = 0; i < 20; i += 1) {
      const r = await send();
      assert.equal(r.body.model_version, '2', 'the shadow never answers');
      assert.deepEqual(r.body.outputs[0].data, [3]);
    }
    assert.equal(await until(4, 'agreed', 20), 20, 'an identical shadow agrees');
    assert.equal(await metric(4, 'disagreed'), 0);

    policy(3); // a candidate that predicts differently
    await server.gateway.registry.refreshTraffic('versions');
    for (let i = 0; i < 10; i += 1) assert.equal((await send()).status, 200);
    assert.equal(await until(3, 'disagreed', 10), 10);

    policy(3, ', max_inflight: 1'); // under concurrent load a busy shadow is shed, the primary still answers
    await server.gateway.registry.refreshTraffic('versions');
    const results = await Promise.all(Array.from({ length: 40 }, send));
    assert.ok(results.every((r) => r.status === 200));
    const shed = await metric(3, 'shed');
    const compared = (await until(3, 'disagreed', 10 + 40 - shed)) - 10;
    assert.equal(shed + compared, 40);
    assert.ok(shed > 0, 'some mirrors were shed');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
