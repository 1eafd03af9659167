/**
 * Pools placed on several devices, with real worker threads and real
 * onnxruntime sessions. The GPU cases use this machine's real failure: asking
 * onnxruntime-node for CUDA where its CUDA provider is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startPools } from './pool-group.ts';
import { providerLibraryPresent } from './onnx-providers.ts';
import type { PlacedPool, Placement } from './placement.ts';
import type { NamedTensors } from './tensor.ts';

const ADD_SUB = path.join(new URL('../test/fixtures/models/add_sub/1/', import.meta.url).pathname, 'model.onnx');
const skipWithCuda = providerLibraryPresent('cuda') ? 'onnxruntime-node CUDA provider installed here: bench/gpu-check.sh covers the GPU' : false;

const cpu = (count: number): PlacedPool => ({ device: 'cpu', count, intraOpThreads: 1, providers: ['cpu'], cpuFallback: false });
const gpu = (cpuFallback: boolean, count = 1): PlacedPool => ({ device: 'gpu', deviceId: 0, count, intraOpThreads: 1, providers: ['cuda'], cpuFallback });
const placement = (...pools: PlacedPool[]): Placement => ({ pools, instances: pools.reduce((n, p) => n + p.count, 0), warnings: [] });
const start = (p: Placement) => startPools(p, (pool) => ({
  runtime: 'onnxruntime',
  load: { modelPath: ADD_SUB, device: pool.device, deviceId: pool.deviceId, intraOpThreads: pool.intraOpThreads, providers: pool.providers, cpuFallback: pool.cpuFallback },
}));

function addSub(i: number): NamedTensors {
  return {
    INPUT0: { datatype: 'FP32', shape: [1, 4], data: new Float32Array([i, i, i, i]) },
    INPUT1: { datatype: 'FP32', shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
  };
}

test('two pools behind one infer(): every worker counted, every answer its own', async () => {
  const pools = await start(placement(cpu(1), cpu(2)));
  try {
    assert.equal(pools.instances, 3);
    assert.equal(pools.workerThreads().length, 3);
    assert.equal(pools.executionProvider, 'cpu');
    assert.deepEqual(pools.placement(), [
      { device: 'cpu', count: 1, executionProvider: 'cpu' },
      { device: 'cpu', count: 2, executionProvider: 'cpu' },
    ]);
    const outputs = await Promise.all(Array.from({ length: 9 }, (_, i) => pools.infer(addSub(i), ['OUTPUT0'])));
    outputs.forEach((out, i) => assert.deepEqual([...(out.OUTPUT0!.data as Float32Array)], [i + 1, i + 2, i + 3, i + 4]));
  } finally {
    await pools.close();
  }
});

test('kind auto: a GPU session that cannot open opens on the CPU, and the pool says why (once for all workers)', { skip: skipWithCuda }, async () => {
  const pools = await start(placement(gpu(true, 2)));
  try {
    assert.equal(pools.executionProvider, 'cpu');
    assert.equal(pools.fallbacks.length, 1, JSON.stringify(pools.fallbacks));
    assert.match(pools.fallbacks[0]!, /^GPU 0: cuda: the cuda execution provider is not installed .*ONNXRUNTIME_NODE_INSTALL=cuda12.*; opened on the CPU$/);
    assert.deepEqual(pools.placement(), [{ device: 'gpu', deviceId: 0, count: 2, executionProvider: 'cpu' }]);
    const out = await pools.infer(addSub(5), ['OUTPUT1']);
    assert.deepEqual([...(out.OUTPUT1!.data as Float32Array)], [4, 3, 2, 1]);
  } finally {
    await pools.close();
  }
});

test('kind gpu: the session failure becomes a reason naming the provider and the fix, not a stack', { skip: skipWithCuda }, async () => {
  await assert.rejects(start(placement(gpu(false))), (error: Error) => {
    assert.match(error.message, /^could not open the session on GPU 0: cuda: the cuda execution provider is not installed \(libonnxruntime_providers_cuda\.so is not beside onnxruntime-node's binding\): install it with ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.doesNotMatch(error.message, /\n\s+at /);
    return true;
  });
});

test('one pool failing fails the whole start with its reason', { skip: skipWithCuda }, async () => {
  await assert.rejects(start(placement(cpu(1), gpu(false))), (error: Error) => {
    assert.match(error.message, /^could not open the session on GPU 0: cuda: /);
    return true;
  });
});
