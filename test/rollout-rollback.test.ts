import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { startGateway, postJson, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

const { onnx } = onnxProto as unknown as { onnx: typeof Onnx };

/**
 * A baseline that never fails: OUTPUT0 = Reshape(INPUT0, [-1, 1]), with the same
 * inputs (INPUT0 FP32 [n], SHAPE INT64 [2]) as the `fails_at_runtime` fixture, whose
 * Reshape(INPUT0, SHAPE) fails inside onnxruntime when SHAPE does not fit.
 */
function steadyBaseline(): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'steady',
      input: [
        { name: 'INPUT0', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'n' }] } } } },
        { name: 'SHAPE', type: { tensorType: { elemType: 7, shape: { dim: [{ dimValue: 2 }] } } } },
      ],
      output: [{ name: 'OUTPUT0', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'a' }, { dimParam: 'b' }] } } } }],
      initializer: [{ name: 'column', dims: [2], dataType: 7, int64Data: [-1, 1] }],
      node: [{ opType: 'Reshape', input: ['INPUT0', 'column'], output: ['OUTPUT0'] }],
    },
  })).finish();
}

/**
 * A temporary repository with one model: version 1 from `baseline` (ONNX bytes), version 2
 * a copy of a fixture's version 1; a gateway on it with a `traffic`-scoped token.
 */
async function twoVersions(name: string, baseline: Uint8Array, candidateFixture: string, config: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `modelgate-${name}-`));
  const model = path.join(dir, 'models', name);
  mkdirSync(path.join(model, '1'), { recursive: true });
  writeFileSync(path.join(model, '1', 'model.onnx'), baseline);
  cpSync(path.join(FIXTURE_REPOSITORY, candidateFixture, '1'), path.join(model, '2'), { recursive: true });
  writeFileSync(path.join(model, 'config.yaml'), `${config}version_policy: {all: {}}\n`);
  const token = `${name}-secret-0123456789abcdef`;
  writeFileSync(path.join(dir, 'tokens.yaml'), `tokens:\n  - {name: release, token: ${token}, scopes: [read, traffic]}\n`);
  const server = await startGateway({ modelRepository: path.join(dir, 'models'), managementTokens: path.join(dir, 'tokens.yaml'), rolloutTickSeconds: 3600 });
  return {
    server,
    auth: { authorization: `Bearer ${token}` },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a candidate that fails 10% of requests is rolled back at the first step', { timeout: 90_000 }, async () => {
  const { server, auth, close } = await twoVersions('reshape', steadyBaseline(), 'fails_at_runtime', 'max_batch_size: 0\n');
  try {
    const started = await postJson(`${server.url}/v2/models/reshape/rollout`, {
      baseline: 1, candidate: 2, steps: [50, 100], interval_seconds: 1, min_samples: 60, pause_after_intervals: 100,
      gates: { error_ratio: {} },
    }, auth);
    assert.equal(started.status, 201, started.text);
    // Every tenth request carries a SHAPE that only the candidate's Reshape rejects.
    const failures = { baseline: 0, candidate: 0 };
    for (let i = 0; i < 300; i += 1) {
      const shape = i % 10 === 0 ? [3, 2] : [2, 2];
      const r = await fetch(`${server.url}/v2/models/reshape/infer`, {
        method: 'POST',
        body: JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'SHAPE', shape: [2], datatype: 'INT64', data: shape }] }),
      });
      await r.arrayBuffer();
      // Failed responses name the version that failed too.
      const version = r.headers.get('x-modelgate-version');
      assert.ok(version === '1' || version === '2', `x-modelgate-version: ${version}`);
      if (r.status !== 200) failures[version === '1' ? 'baseline' : 'candidate'] += 1;
    }
    assert.equal(failures.baseline, 0, 'the baseline never fails');
    assert.ok(failures.candidate > 0, 'the candidate failed some requests');
    await sleep(1100);
    await server.gateway.rollouts.tick(Date.now());
    const { state, decision } = server.gateway.rollouts.status('reshape')!;
    assert.equal(state.status, 'rolled_back', JSON.stringify(decision));
    assert.equal(state.weight, 0);
    assert.match(state.history[state.history.length - 1]!.reason, /error_ratio/);
    for (let i = 0; i < 10; i += 1) {
      const r = await postJson(`${server.url}/v2/models/reshape/infer`, {
        inputs: [{ name: 'INPUT0', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'SHAPE', shape: [2], datatype: 'INT64', data: [3, 2] }],
      });
      assert.equal(r.status, 200, 'after the rollback every request goes to the baseline');
      assert.equal(r.body.model_version, '1');
    }
  } finally {
    await close();
  }
});

/** A fast model with the `slow` fixture's signature: OUTPUT0 = INPUT0 · W, FP32 [batch, 16] → [batch, 4]. */
function fastTwin(): Uint8Array {
  const io = (name: string, width: number) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'fast',
      input: [io('INPUT0', 16)],
      output: [io('OUTPUT0', 4)],
      initializer: [{ name: 'w', dims: [16, 4], dataType: 1, floatData: Array.from({ length: 64 }, (_, i) => (i % 5) / 10) }],
      node: [{ opType: 'MatMul', input: ['INPUT0', 'w'], output: ['OUTPUT0'] }],
    },
  })).finish();
}

test('a slow candidate is rolled back on the latency gate', { timeout: 120_000 }, async () => {
  const { server, auth, close } = await twoVersions('twin', fastTwin(), 'slow', 'max_batch_size: 4\ninstance_count: 2\n');
  try {
    const started = await postJson(`${server.url}/v2/models/twin/rollout`, {
      baseline: 1, candidate: 2, steps: [50, 100], interval_seconds: 1, min_samples: 15, pause_after_intervals: 100,
      gates: { latency_p99: { max_ratio: 2 }, latency_test: {} },
    }, auth);
    assert.equal(started.status, 201, started.text);
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 15; i += 1) {
        const r = await postJson(`${server.url}/v2/models/twin/infer`, { inputs: [{ name: 'INPUT0', shape: [1, 16], datatype: 'FP32', data: new Array(16).fill(0.5) }] });
        assert.equal(r.status, 200);
      }
    }));
    await sleep(1100);
    await server.gateway.rollouts.tick(Date.now());
    const { state, decision } = server.gateway.rollouts.status('twin')!;
    assert.equal(state.status, 'rolled_back', JSON.stringify(decision));
    assert.match(state.history[state.history.length - 1]!.reason, /latency/);
  } finally {
    await close();
  }
});
