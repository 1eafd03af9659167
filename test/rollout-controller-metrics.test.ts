import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

/**
 * `modelgate rollout-controller` serves the rollout series (the fleet's rollout
 * dashboard reads them there), and replicas serving with `--rollout-controller
 * external` export none of their own (they would repeat the state read at startup).
 */

const BIN = new URL('../bin/modelgate.js', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

function repositoryWithRollout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-controller-metrics-'));
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), path.join(dir, 'versions'), { recursive: true });
  const spec = path.join(dir, 'spec.yaml');
  writeFileSync(spec, 'baseline: 2\ncandidate: 3\nsteps: [10, 50, 100]\ninterval_seconds: 60\nmin_samples: 50\ngates:\n  error_ratio: {max_increase: 0.02}\n  latency_p99: {max_ratio: 1.5}\n');
  const started = run(['rollout-start', '--model-repository', dir, '--model', 'versions', '--spec', spec]);
  assert.equal(started.status, 0, started.stderr);
  return dir;
}

test('the controller serves /metrics with the rollout series and /healthz, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const dir = repositoryWithRollout();
  // Nothing listens on port 9 (discard): decisions fail and are logged; the state still loads.
  const child = spawn(process.execPath, [BIN, 'rollout-controller', '--model-repository', dir, '--prometheus-url', 'http://127.0.0.1:9', '--tick-seconds', '1', '--metrics-host', '127.0.0.1', '--metrics-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    for (let i = 0; i < 500 && !log.includes('rollout controller running'); i += 1) await sleep(20);
    const port = Number(/"metricsPort":(\d+)/.exec(log)?.[1]);
    assert.ok(port > 0, `the controller logged its metrics port: ${log}`);
    const url = `http://127.0.0.1:${port}`;

    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await metrics.text();
    assert.match(text, /^modelgate_rollout_status\{model="versions",status="running"\} 1$/m);
    assert.match(text, /^modelgate_rollout_weight\{model="versions",version="3",role="candidate"\} 10$/m);
    assert.match(text, /^modelgate_rollout_weight\{model="versions",version="2",role="baseline"\} 90$/m);
    assert.match(text, /^modelgate_rollout_gate_threshold\{model="versions",gate="latency_p99"\} 1\.5$/m);
    assert.match(text, /^modelgate_rollout_last_transition_timestamp_seconds\{model="versions",action="start"\} \d/m);
    assert.match(text, /^process_cpu_seconds_total /m);

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { live: true, rollouts: 1 });
    const missing = await fetch(`${url}/v2/models`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /expected \/metrics or \/healthz/);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);

    // A pause written by `modelgate rollout-pause` shows on the next tick's reload.
    assert.equal(run(['rollout-pause', '--model-repository', dir, '--model', 'versions']).status, 0);
    let paused = '';
    for (let i = 0; i < 100 && !/status="paused"\} 1/.test(paused); i += 1) {
      await sleep(100);
      paused = await (await fetch(`${url}/metrics`)).text();
    }
    assert.match(paused, /^modelgate_rollout_status\{model="versions",status="paused"\} 1$/m);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad controller flags exit 2 with the flag and the expectation', () => {
  const port = run(['rollout-controller', '--prometheus-url', 'http://127.0.0.1:9', '--metrics-port', 'eighty']);
  assert.equal(port.status, 2);
  assert.match(port.stderr, /--metrics-port: expected a port 0-65535, got "eighty"/);
  const tick = run(['rollout-controller', '--prometheus-url', 'http://127.0.0.1:9', '--tick-seconds', '0']);
  assert.equal(tick.status, 2);
  assert.match(tick.stderr, /--tick-seconds: expected a positive number of seconds, got "0"/);
});

test('replicas following an external controller export no rollout series; in-process ones do', async () => {
  const dir = repositoryWithRollout();
  const external = await startGateway({ modelRepository: dir, rolloutController: 'external' });
  const inProcess = await startGateway({ modelRepository: dir, rolloutTickSeconds: 60 });
  try {
    const externalText = await (await fetch(`${external.url}/metrics`)).text();
    // Its own series are there (so the absence below is not that of an empty or failed scrape).
    assert.match(externalText, /^modelgate_model_ready\{model="versions",version="3"\} 1$/m);
    assert.doesNotMatch(externalText, /^modelgate_rollout_/m);
    const inProcessText = await (await fetch(`${inProcess.url}/metrics`)).text();
    assert.match(inProcessText, /^modelgate_rollout_status\{model="versions",status="running"\} 1$/m);
  } finally {
    await external.close();
    await inProcess.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
