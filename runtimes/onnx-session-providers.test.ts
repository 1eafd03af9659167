/**
 * onnx.ts opening sessions through the provider chain with real onnxruntime:
 * on a machine without onnxruntime-node's CUDA binaries, every GPU try fails
 * for real, and each failure is explained.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { onnxRuntime } from './onnx.ts';
import { providerLibraryPresent } from './onnx-providers.ts';

const ADD_SUB = path.join(new URL('../test/fixtures/models/add_sub/1/', import.meta.url).pathname, 'model.onnx');
const skipWithCuda = providerLibraryPresent('cuda') ? 'onnxruntime-node CUDA provider installed here: bench/gpu-check.sh covers the GPU' : false;

test('TensorRT+CUDA, then CUDA, then the CPU: each failed try is named in the fallback reason', { skip: skipWithCuda }, async () => {
  const session = await onnxRuntime.load({ modelPath: ADD_SUB, device: 'gpu', deviceId: 1, intraOpThreads: 1, providers: ['tensorrt', 'cuda'], cpuFallback: true });
  try {
    assert.equal(session.executionProvider, 'cpu');
    assert.match(session.fallback ?? '', /^GPU 1: tensorrt\+cuda: the tensorrt execution provider is not installed \(libonnxruntime_providers_tensorrt\.so .*; cuda: the cuda execution provider is not installed .*; opened on the CPU$/);
  } finally {
    await session.dispose();
  }
});

test('a CPU session has no fallback, and a broken model keeps its own error', async () => {
  const session = await onnxRuntime.load({ modelPath: ADD_SUB, device: 'cpu', intraOpThreads: 1 });
  try {
    assert.equal(session.executionProvider, 'cpu');
    assert.equal(session.fallback, undefined);
  } finally {
    await session.dispose();
  }
  await assert.rejects(
    onnxRuntime.load({ modelPath: path.join(path.dirname(ADD_SUB), 'missing.onnx'), device: 'gpu', intraOpThreads: 1, providers: ['cuda'], cpuFallback: true }),
    (error: Error) => {
      assert.doesNotMatch(error.message, /execution provider/, 'the CPU try fails for the model, and says so');
      return true;
    },
  );
});
