import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, postJson, type RunningGateway } from './helpers/gateway.ts';
import { FIXTURE_REPOSITORY } from './helpers/gateway.ts';

/**
 * The in-process controller end to end: `versions` fixture with version 4 a copy
 * of 2 (a good candidate). The controller's ticks are driven by the test, with the
 * real clock (request logs are timestamped), on a 1 s step interval.
 */
const TOKEN = 'rollout-secret-0123456789';

function repository(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-rollout-'));
  const model = path.join(dir, 'models', 'versions');
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), model, { recursive: true });
  cpSync(path.join(model, '2'), path.join(model, '4'), { recursive: true });
  const config = path.join(model, 'config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^version_policy: .*$/m, 'version_policy: {all: {}}'));
  writeFileSync(path.join(dir, 'tokens.yaml'), `tokens:\n  - {name: release, token: ${TOKEN}, scopes: [read, traffic]}\n`);
  return dir;
}

const start = (dir: string) => startGateway({ modelRepository: path.join(dir, 'models'), managementTokens: path.join(dir, 'tokens.yaml'), rolloutTickSeconds: 3600 });
const auth = { authorization: `Bearer ${TOKEN}` };
const traffic = async (server: RunningGateway, n: number) => {
  for (let i = 0; i < n; i += 1) {
    const r = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [i % 7] }] });
    assert.equal(r.status, 200);
  }
};
const SPEC = { baseline: 2, candidate: 4, steps: [25, 50, 100], interval_seconds: 1, min_samples: 20, pause_after_intervals: 100, gates: { error_ratio: {}, latency_p99: { max_ratio: 10 } } };
// (A generous latency bound: both versions are the same model; a loaded CI machine must not flip the verdict.)

test('a good candidate is promoted through every step; state survives a restart; the API shows why', async () => {
  const dir = repository();
  let server = await start(dir);
  try {
    const started = await postJson(`${server.url}/v2/models/versions/rollout`, SPEC, auth);
    assert.equal(started.status, 201, started.text);
    assert.equal(started.body.weight, 25);
    assert.match(readFileSync(path.join(dir, 'models', 'versions', 'traffic.yaml'), 'utf8'), /version: 4\n\s+weight: 25/);
    // Step 1: enough traffic on both versions, then the interval passes.
    await traffic(server, 160);
    await sleep(1100);
    await server.gateway.rollouts.tick(Date.now());
    const status = await fetch(`${server.url}/v2/models/versions/rollout`, { headers: auth }).then((r) => r.json()) as any;
    assert.equal(status.step, 1, JSON.stringify(status.decision));
    assert.equal(status.weight, 50);
    assert.ok(status.decision.gates.every((g: { status: string }) => g.status === 'pass'), JSON.stringify(status.decision.gates));
    // Restart mid-rollout: the new process resumes at the same step and weight.
    await server.close();
    server = await start(dir);
    const resumed = server.gateway.rollouts.status('versions')!.state;
    assert.equal(resumed.step, 1);
    assert.equal(resumed.weight, 50);
    await traffic(server, 100);
    await sleep(1100);
    await server.gateway.rollouts.tick(Date.now());
    const promoted = server.gateway.rollouts.status('versions')!.state;
    assert.equal(promoted.status, 'promoted', JSON.stringify(server.gateway.rollouts.status('versions')!.decision));
    assert.equal(promoted.weight, 100);
    for (let i = 0; i < 10; i += 1) {
      const r = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
      assert.equal(r.body.model_version, '4');
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^modelgate_rollout_status\{model="versions",status="promoted"\} 1$/m);
    assert.match(metrics, /^modelgate_rollout_weight\{model="versions",version="4",role="candidate"\} 100$/m);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('abort sends all traffic back to the baseline; invalid commands are 400s', async () => {
  const dir = repository();
  const server = await start(dir);
  try {
    assert.equal((await postJson(`${server.url}/v2/models/versions/rollout`, SPEC, auth)).status, 201);
    const again = await postJson(`${server.url}/v2/models/versions/rollout`, SPEC, auth);
    assert.equal(again.status, 400);
    assert.match(again.body.error, /already has a running rollout/);
    const aborted = await postJson(`${server.url}/v2/models/versions/rollout/abort`, {}, auth);
    assert.equal(aborted.body.status, 'aborted');
    for (let i = 0; i < 10; i += 1) {
      const r = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
      assert.equal(r.body.model_version, '2');
    }
    const resume = await postJson(`${server.url}/v2/models/versions/rollout/resume`, {}, auth);
    assert.equal(resume.status, 400);
    assert.match(resume.body.error, /cannot resume a rollout that is aborted/);
    const bad = await postJson(`${server.url}/v2/models/versions/rollout`, { baseline: 2, candidate: 2 }, auth);
    assert.equal(bad.status, 400);
    const audit = (await fetch(`${server.url}/v2/models/versions/rollout`)).status;
    assert.equal(audit, 401, 'rollout status needs a token');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a candidate that predicts differently is caught by shadow disagreement and rolled back', async () => {
  const dir = repository();
  const server = await start(dir);
  try {
    // Version 3 answers INPUT0 + 3 where the baseline answers INPUT0 + 2: every mirrored answer disagrees.
    const started = await postJson(`${server.url}/v2/models/versions/rollout`, {
      baseline: 2, candidate: 3, steps: [0, 50, 100], interval_seconds: 1, min_samples: 20, pause_after_intervals: 100,
      shadow: { share: 1 }, gates: { shadow_disagreement: {} },
    }, auth);
    assert.equal(started.status, 201, started.text);
    assert.equal(started.body.weight, 0, 'the first step only mirrors');
    await traffic(server, 60);
    await sleep(1100);
    await server.gateway.rollouts.tick(Date.now());
    const { state, decision } = server.gateway.rollouts.status('versions')!;
    assert.equal(state.status, 'rolled_back', JSON.stringify(decision));
    assert.match(state.history[state.history.length - 1]!.reason, /shadow_disagreement/);
    const after = await postJson(`${server.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [0] }] });
    assert.equal(after.body.model_version, '2');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
