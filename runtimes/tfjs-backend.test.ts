import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendCandidates, chooseBackend, type BackendCandidate } from './tfjs-backend.ts';

const packages = (list: readonly BackendCandidate[]) => list.map((c) => c.package);

test('cpu: tfjs-node first, then WASM; gpu: only tfjs-node-gpu', () => {
  assert.deepEqual(packages(backendCandidates('cpu', undefined)), ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
  assert.deepEqual(packages(backendCandidates('cpu', '')), ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
  assert.deepEqual(packages(backendCandidates('gpu', undefined)), ['@tensorflow/tfjs-node-gpu']);
  assert.deepEqual(backendCandidates('gpu', undefined)[0]!.executionProvider, 'tensorflow-gpu');
});

test('kind auto (cpuFallback): tfjs-node-gpu first, then the CPU candidates', () => {
  assert.deepEqual(packages(backendCandidates('gpu', undefined, true)), ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
  assert.deepEqual(packages(backendCandidates('gpu', 'wasm', true)), ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm']);
});

test('MODELGATE_TFJS_BACKEND pins one backend; unknown values and CPU backends for gpu are refused', () => {
  assert.deepEqual(packages(backendCandidates('cpu', 'wasm')), ['@tensorflow/tfjs-backend-wasm']);
  assert.deepEqual(packages(backendCandidates('cpu', 'tensorflow')), ['@tensorflow/tfjs-node']);
  assert.deepEqual(packages(backendCandidates('cpu', 'cpu')), ['@tensorflow/tfjs-backend-cpu']);
  assert.deepEqual(packages(backendCandidates('gpu', 'tensorflow')), ['@tensorflow/tfjs-node-gpu']);
  assert.throws(() => backendCandidates('cpu', 'webgl'), /MODELGATE_TFJS_BACKEND: expected one of tensorflow, wasm, cpu, got "webgl"/);
  assert.throws(() => backendCandidates('gpu', 'wasm'), /MODELGATE_TFJS_BACKEND=wasm cannot serve a model on device gpu/);
});

test('the first candidate that activates wins; the ones before it are reported with their reason', async () => {
  const tried: string[] = [];
  const choice = await chooseBackend(backendCandidates('cpu', undefined), async (c) => {
    tried.push(c.package);
    if (c.package === '@tensorflow/tfjs-node') throw new Error('not installed');
  });
  assert.deepEqual(tried, ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
  assert.equal(choice.chosen.executionProvider, 'wasm');
  assert.deepEqual(choice.skipped.map((s) => [s.candidate.package, s.reason]), [['@tensorflow/tfjs-node', 'not installed']]);

  const native = await chooseBackend(backendCandidates('cpu', undefined), async () => {});
  assert.equal(native.chosen.executionProvider, 'tensorflow');
  assert.deepEqual(native.skipped, []);
});

test('a gpu model without tfjs-node-gpu fails, naming the package, its reason and how to get it', async () => {
  await assert.rejects(
    chooseBackend(backendCandidates('gpu', undefined), async () => {
      throw new Error('libcudart.so.11.0: cannot open shared object file\nmore lines');
    }),
    (error: Error) => {
      assert.match(error.message, /^no TensorFlow.js backend could be loaded: @tensorflow\/tfjs-node-gpu: libcudart\.so\.11\.0: cannot open shared object file \(the native packages are optional dependencies/);
      assert.doesNotMatch(error.message, /more lines/);
      return true;
    },
  );
});
