/**
 * instance_group end to end, on this machine's real hardware: what a config
 * asks for, what the version then runs on, and how that is reported.
 * (On a machine with a usable NVIDIA GPU the kind gpu/auto cases here would
 * place on it: they are skipped there; bench/gpu-check.sh covers that case.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Gateway } from '../gateway/server.ts';
import { parseServerOptions } from '../gateway/options.ts';
import { probeHost } from '../runtimes/host-facts.ts';
import { FIXTURE_REPOSITORY, getJson, postJson } from './helpers/gateway.ts';

const READER = 'placement-test-reader-secret';
const MODELS: Record<string, string[]> = {
  on_gpu: ['instance_group: [{kind: gpu, count: 1}]'],
  on_auto: ['instance_group:', '  - {kind: auto, count: 1}'],
  two_workers: ['instance_group: [{kind: cpu, count: 2}]'],
  two_groups: ['instance_group: [{kind: cpu, count: 1}, {kind: KIND_CPU, count: 2}]', 'dynamic_batching: {}'],
  both_forms: ['instance_count: 2', 'instance_group: [{kind: cpu}]'],
  bad_kind: ['instance_group: [{kind: tpu, count: 1}]'],
  gpus_on_cpu: ['instance_group: [{kind: cpu, gpus: [0]}]'],
};

let dir: string;
let gateway: Gateway;
let url: string;
const logLines: Record<string, unknown>[] = [];
const usableGpu = (await probeHost('onnxruntime', [{ kind: 'gpu', count: 1 }])).providers.gpu.length > 0;
const skipOnGpu = usableGpu ? 'this machine has a usable GPU: see bench/gpu-check.sh' : false;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modelgate-placement-'));
  const repository = path.join(dir, 'models');
  const base = readFileSync(path.join(FIXTURE_REPOSITORY, 'add_sub', 'config.yaml'), 'utf8').replace(/^name: .*$/m, '');
  for (const [name, lines] of Object.entries(MODELS)) {
    cpSync(path.join(FIXTURE_REPOSITORY, 'add_sub', '1'), path.join(repository, name, '1'), { recursive: true });
    writeFileSync(path.join(repository, name, 'config.yaml'), `${base}\n${lines.join('\n')}\n`);
  }
  const tokens = path.join(dir, 'tokens.yaml');
  writeFileSync(tokens, `tokens:\n  - {name: reader, token: ${READER}, scopes: [read]}\n`);
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  gateway = new Gateway(
    parseServerOptions({ host: '127.0.0.1', port: 0, gracePeriodSeconds: 5, modelRepository: repository, managementTokens: tokens }),
    log,
  );
  await gateway.start();
  url = `http://127.0.0.1:${gateway.port}`;
});

after(async () => {
  await gateway.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const addSub = (a: number[], b: number[]) => ({
  inputs: [
    { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: a },
    { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: b },
  ],
});

test('kind gpu without a usable GPU: that model is UNAVAILABLE with what is missing; the others serve', { skip: skipOnGpu }, async () => {
  const index = await postJson(`${url}/v2/repository/index`, {}, { authorization: `Bearer ${READER}` });
  assert.equal(index.status, 200);
  const entry = index.body.find((e: { name: string }) => e.name === 'on_gpu');
  assert.equal(entry.state, 'UNAVAILABLE');
  assert.match(entry.reason, /^failed to load: instance_group\[0\] \(kind gpu\) has no usable GPU: /);
  assert.match(entry.reason, /CUDA execution provider is not installed \(libonnxruntime_providers_cuda\.so is not beside its binding\): install it with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci/);
  assert.match(entry.reason, /no NVIDIA GPU is visible/);
  assert.doesNotMatch(entry.reason, /<internal>|\n|at /, 'a reason, not a stack or a path');

  const refused = await postJson(`${url}/v2/models/on_gpu/infer`, addSub([1, 2, 3, 4], [1, 1, 1, 1]));
  assert.equal(refused.status, 503);
  const served = await postJson(`${url}/v2/models/two_workers/infer`, addSub([1, 2, 3, 4], [1, 1, 1, 1]));
  assert.equal(served.status, 200);
  assert.deepEqual(served.body.outputs[0].data, [2, 3, 4, 5]);
});

test('kind auto without a usable GPU serves on the CPU, says so in metadata and model_info, and warns once', { skip: skipOnGpu }, async () => {
  const served = await postJson(`${url}/v2/models/on_auto/infer`, addSub([1, 2, 3, 4], [4, 3, 2, 1]));
  assert.equal(served.status, 200);
  assert.deepEqual(served.body.outputs[1].data, [-3, -1, 1, 3]);

  const metadata = await getJson(`${url}/v2/models/on_auto`);
  assert.equal(metadata.body.parameters.manifest.executionProvider, 'cpu');
  assert.deepEqual(metadata.body.parameters.manifest.instances, [{ device: 'cpu', count: 1, executionProvider: 'cpu' }]);

  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /modelgate_model_info\{model="on_auto",version="1",[^}]*execution_provider="cpu"/);

  const warnings = logLines.filter((l) => l.msg === 'model version runs on a fallback device' && l.model === 'on_auto');
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(String(warnings[0]!.warning), /^instance_group\[0\] \(kind auto\) runs on the CPU: .*not installed.*no NVIDIA GPU is visible/);
  assert.equal(warnings[0]!.level, 40, 'logged at warn');
});

test('kind cpu, count 2 starts two workers', async () => {
  const version = gateway.registry.resolve('two_workers');
  assert.equal(version.workerThreads().length, 2);
  assert.deepEqual(version.manifest?.instances, [{ device: 'cpu', count: 2, executionProvider: 'cpu' }]);
  assert.deepEqual(version.placementWarnings, []);
});

test('two cpu groups share one pool of three workers and answer concurrent clients with their own rows', async () => {
  const version = gateway.registry.resolve('two_groups');
  assert.equal(version.workerThreads().length, 3);
  assert.deepEqual(version.manifest?.instances, [{ device: 'cpu', count: 3, executionProvider: 'cpu' }]);
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => postJson(`${url}/v2/models/two_groups/infer`, addSub([i, i, i, i], [1, 2, 3, 4]))));
  answers.forEach((answer, i) => {
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.outputs[0].data, [i + 1, i + 2, i + 3, i + 4]);
  });
});

test('invalid instance_group configs fail their model with the field and the expectation', () => {
  const error = (name: string) => gateway.registry.model(name).error ?? '';
  assert.match(error('both_forms'), /config\.yaml: instance_group: cannot be combined with instance_count or device/);
  assert.match(error('bad_kind'), /config\.yaml: instance_group\.0\.kind: .*expected one of "cpu"\|"gpu"\|"auto"/);
  assert.match(error('gpus_on_cpu'), /config\.yaml: instance_group\.0\.gpus: only for kind gpu or auto/);
});
