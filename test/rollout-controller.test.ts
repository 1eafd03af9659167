import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, postJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';
import { startPrometheus, prometheusInstalled, PROMETHEUS_MISSING } from './helpers/prometheus.ts';
import { waitFor } from './helpers/wait.ts';
import { RolloutController } from '../gateway/rollout/controller.ts';
import { prometheusEnvironment } from '../gateway/rollout/prometheus-environment.ts';
import { AuditLog } from '../gateway/management/audit-log.ts';
import { createLogger } from '../gateway/logger.ts';
import { ControllerMetricsServer } from '../gateway/rollout/controller-metrics-server.ts';

/**
 * Scale-out: two replicas serve with `--rollout-controller external`; one
 * controller reads the fleet's metrics from a real Prometheus, decides with the
 * same decide(), and writes traffic.yaml, which both replicas follow.
 */
test('the Prometheus-backed controller advances a good candidate for the whole fleet', { timeout: 90_000 }, async () => {
  assert.ok(prometheusInstalled(), PROMETHEUS_MISSING);
  const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-fleet-rollout-'));
  const model = path.join(dir, 'versions');
  cpSync(path.join(FIXTURE_REPOSITORY, 'versions'), model, { recursive: true });
  cpSync(path.join(model, '2'), path.join(model, '4'), { recursive: true });
  const config = path.join(model, 'config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^version_policy: .*$/m, 'version_policy: {all: {}}'));
  const replicas = [
    await startGateway({ modelRepository: dir, rolloutController: 'external' }),
    await startGateway({ modelRepository: dir, rolloutController: 'external' }),
  ];
  const prometheus = await startPrometheus({ targets: replicas.map((r) => `127.0.0.1:${r.gateway.port}`) });
  const log = createLogger('silent');
  const controller = new RolloutController(prometheusEnvironment(prometheus.url, dir), new AuditLog(undefined, log), log);
  const send = async (n: number) => {
    const versions: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const r = await postJson(`${replicas[i % 2]!.url}/v2/models/versions/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [i % 5] }] });
      assert.equal(r.status, 200);
      versions.push(r.body.model_version);
    }
    return versions;
  };
  try {
    // Counters must be scraped once before the traffic: increase() counts from the first sample.
    await waitFor('the first scrape of both replicas', async () => ((await prometheus.query('up == 1')).length === 2 ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
    await controller.start(0);
    await controller.begin({ model: 'versions', baseline: 2, candidate: 4, steps: [25, 50, 100], interval_seconds: 2, min_samples: 20, pause_after_intervals: 100, gates: { error_ratio: {}, latency_p99: { max_ratio: 10 } } }, 'test');
    // Both replicas follow the file the controller wrote: before it, version 4 (the latest) took
    // everything; with the 25 % policy both versions answer, on each replica.
    await waitFor('replicas applying the traffic policy', async () => {
      const versions = await send(40);
      return versions.includes('2') && versions.includes('4') ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    for (const replica of replicas) {
      await waitFor('each replica on the policy', async () => (replica.gateway.registry.model('versions').traffic !== undefined ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
    }
    await send(200);
    // Prometheus has the step's traffic once both replicas were scraped after it.
    await sleep(2500);
    await controller.tick(Date.now());
    const status = controller.status('versions')!;
    assert.equal(status.state.step, 1, JSON.stringify(status.decision));
    assert.equal(status.state.weight, 50);
    assert.ok(status.decision!.gates.every((g) => g.status === 'pass'), JSON.stringify(status.decision!.gates));
    assert.match(readFileSync(path.join(model, 'traffic.yaml'), 'utf8'), /version: 4\n\s+weight: 50/);
    // The controller's own /metrics carries what it decided from Prometheus (the fleet's rollout dashboard reads it).
    const metrics = await ControllerMetricsServer.start(controller, '127.0.0.1', 0);
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    await metrics.close();
    assert.match(text, /^modelgate_rollout_weight\{model="versions",version="4",role="candidate"\} 50$/m);
    assert.match(text, /^modelgate_rollout_gate_status\{model="versions",gate="error_ratio"\} 1$/m);
    assert.match(text, /^modelgate_rollout_gate_value\{model="versions",gate="latency_p99"\} \d/m);
    const after = await waitFor('replicas at 50 %', async () => {
      const versions = await send(100);
      const share = versions.filter((v) => v === '4').length / versions.length;
      return share > 0.35 ? share : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    assert.ok(after < 0.65, `candidate share ${after}`);
  } finally {
    controller.stop();
    await prometheus.stop();
    for (const r of replicas) await r.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
