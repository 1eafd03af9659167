import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceGroupsOf, placeInstances, PlacementError, type HostFacts, type ProviderFacts } from './placement.ts';
import { onnxProviderFacts, type OrtBackend } from './onnx-providers.ts';
import { explainProviderFailure, providerAttempts } from './onnx-provider-chain.ts';
import { countNvidiaSmiGpus, cudaVisibleCount } from './gpu-devices.ts';
import { pickPool } from './pool-group.ts';

// What onnxruntime-node 1.30's listSupportedBackends() answers on linux/x64.
const LINUX_X64: OrtBackend[] = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const ALL_LIBRARIES = (name: string) => /providers_(cuda|tensorrt|shared)\.so$/.test(name);
const CUDA_LIBRARIES = (name: string) => /providers_(cuda|shared)\.so$/.test(name);

const facts = (libraries: (name: string) => boolean, tensorRtRuntime = false, backends = LINUX_X64): ProviderFacts =>
  onnxProviderFacts({ backends, hasLibrary: libraries, tensorRtRuntime, platform: 'linux/x64' });
const host = (gpus: number, providers: ProviderFacts, cores = 8): HostFacts => ({ cores, gpus, gpuNote: `the NVIDIA driver lists ${gpus}`, providers });

test('provider facts: TensorRT first when its library and libnvinfer are both present, else CUDA only', () => {
  assert.deepEqual(facts(ALL_LIBRARIES, true).gpu, ['tensorrt', 'cuda']);
  assert.deepEqual(facts(ALL_LIBRARIES, false).gpu, ['cuda'], 'no TensorRT runtime on the library path');
  assert.deepEqual(facts(CUDA_LIBRARIES, true).gpu, ['cuda'], 'TensorRT provider library not installed');
  // A build that bundles CUDA needs no separate library.
  assert.deepEqual(facts(() => false, false, [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: true }]).gpu, ['cuda']);
});

test('provider facts: the CPU-only npm install names the missing library and how to install it', () => {
  const cpuOnly = facts(() => false, true);
  assert.deepEqual(cpuOnly.gpu, []);
  assert.match(cpuOnly.cudaMissing ?? '', /CUDA execution provider is not installed \(libonnxruntime_providers_cuda\.so is not beside its binding\)/);
  assert.match(cpuOnly.cudaMissing ?? '', /ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci/);
  // The CUDA library without the shared provider bridge is not an install either.
  assert.deepEqual(facts((name) => name.endsWith('providers_cuda.so')).gpu, []);
  const mac = facts(() => true, true, [{ name: 'cpu', bundled: true }, { name: 'coreml', bundled: true }]);
  assert.match(mac.cudaMissing ?? '', /has no CUDA execution provider \(it has cpu, coreml\)/);
});

test('cuda + tensorrt: count instances on every visible GPU, TensorRT then CUDA, one intra-op thread each', () => {
  const placement = placeInstances([{ kind: 'gpu', count: 2 }], host(2, facts(ALL_LIBRARIES, true)));
  assert.deepEqual(placement.pools, [
    { device: 'gpu', deviceId: 0, count: 2, providers: ['tensorrt', 'cuda'], cpuFallback: false, intraOpThreads: 1 },
    { device: 'gpu', deviceId: 1, count: 2, providers: ['tensorrt', 'cuda'], cpuFallback: false, intraOpThreads: 1 },
  ]);
  assert.equal(placement.instances, 4);
  assert.deepEqual(placement.warnings, []);
});

test('cuda only: listed gpus only; a mixed config gives the CPU workers the cores', () => {
  const placement = placeInstances(
    [{ kind: 'gpu', count: 1, gpus: [1] }, { kind: 'cpu', count: 2 }],
    host(2, facts(CUDA_LIBRARIES)),
  );
  assert.deepEqual(placement.pools, [
    { device: 'gpu', deviceId: 1, count: 1, providers: ['cuda'], cpuFallback: false, intraOpThreads: 1 },
    { device: 'cpu', count: 2, providers: ['cpu'], cpuFallback: false, intraOpThreads: 4 },
  ]);
  assert.equal(placement.instances, 3);
});

test('cpu only host: kind gpu fails with every missing piece named; kind cpu is untouched', () => {
  const cpuHost: HostFacts = { cores: 2, gpus: 0, gpuNote: 'no NVIDIA driver: the driver lists no GPU and nvidia-smi is not on PATH', providers: facts(() => false) };
  assert.throws(() => placeInstances([{ kind: 'cpu', count: 1 }, { kind: 'gpu', count: 1 }], cpuHost), (error: unknown) => {
    assert.ok(error instanceof PlacementError);
    assert.match(error.message, /^instance_group\[1\] \(kind gpu\) has no usable GPU: /);
    assert.match(error.message, /libonnxruntime_providers_cuda\.so is not beside its binding\): install it with ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.match(error.message, /no NVIDIA GPU is visible \(no NVIDIA driver: .*nvidia-smi is not on PATH\)/);
    return true;
  });
  assert.deepEqual(placeInstances([{ kind: 'cpu', count: 2 }], cpuHost).pools, [
    { device: 'cpu', count: 2, providers: ['cpu'], cpuFallback: false, intraOpThreads: 1 },
  ]);
});

test('a requested GPU id that is not visible fails kind gpu and says which ids are visible', () => {
  assert.throws(
    () => placeInstances([{ kind: 'gpu', count: 1, gpus: [0, 3] }], host(2, facts(CUDA_LIBRARIES))),
    /instance_group\[0\] \(kind gpu\) has no usable GPU: gpus 3 is not visible: this process sees GPUs 0-1 \(the NVIDIA driver lists 2\)/,
  );
  assert.throws(() => placeInstances([{ kind: 'gpu', count: 1, gpus: [1, 2] }], host(1, facts(CUDA_LIBRARIES))), /gpus 1, 2 are not visible: this process sees GPU 0 /);
});

test('a runtime that uses GPU 0 only (TensorFlow.js): groups default to it and may list no other', () => {
  const tfjs: ProviderFacts = { gpu: ['cuda'], firstGpuOnly: true };
  assert.deepEqual(placeInstances([{ kind: 'gpu', count: 2 }], host(2, tfjs)).pools.map((p) => [p.deviceId, p.count]), [[0, 2]]);
  assert.throws(() => placeInstances([{ kind: 'gpu', count: 1, gpus: [0, 1] }], host(2, tfjs)), /gpus 1: this runtime uses GPU 0 only \(choose the device with CUDA_VISIBLE_DEVICES\)/);
});

test('auto: the GPU when usable (with a CPU fallback allowed), else count CPU workers and one warning', () => {
  const onGpu = placeInstances([{ kind: 'auto', count: 1 }], host(1, facts(CUDA_LIBRARIES)));
  assert.deepEqual(onGpu.pools, [{ device: 'gpu', deviceId: 0, count: 1, providers: ['cuda'], cpuFallback: true, intraOpThreads: 1 }]);
  assert.deepEqual(onGpu.warnings, []);

  const onCpu = placeInstances([{ kind: 'auto', count: 3, gpus: [0, 1] }], host(0, facts(() => false), 6));
  assert.deepEqual(onCpu.pools, [{ device: 'cpu', count: 3, providers: ['cpu'], cpuFallback: false, intraOpThreads: 2 }]);
  assert.equal(onCpu.warnings.length, 1);
  assert.match(onCpu.warnings[0]!, /^instance_group\[0\] \(kind auto\) runs on the CPU: .*not installed.*; no NVIDIA GPU is visible/);
});

test('groups on the same device merge into one pool; CPU workers share the cores', () => {
  const placement = placeInstances([{ kind: 'cpu', count: 1 }, { kind: 'cpu', count: 3 }], host(0, facts(() => false), 8));
  assert.deepEqual(placement.pools, [{ device: 'cpu', count: 4, providers: ['cpu'], cpuFallback: false, intraOpThreads: 2 }]);
  // More workers than cores: still one thread each, never zero.
  assert.equal(placeInstances([{ kind: 'cpu', count: 5 }], host(0, facts(() => false), 2)).pools[0]!.intraOpThreads, 1);
});

test('instance_count and device are shorthand for one group; the default is one CPU worker per core', () => {
  assert.deepEqual(instanceGroupsOf(undefined, 8), [{ kind: 'cpu', count: 8 }]);
  assert.deepEqual(instanceGroupsOf({ instance_count: 2 }, 8), [{ kind: 'cpu', count: 2 }]);
  assert.deepEqual(instanceGroupsOf({ device: 'gpu' }, 8), [{ kind: 'gpu', count: 1 }]);
  assert.deepEqual(instanceGroupsOf({ device: 'gpu', instance_count: 3 }, 8), [{ kind: 'gpu', count: 3 }]);
  const groups = [{ kind: 'auto' as const, count: 2, gpus: [0] }];
  assert.equal(instanceGroupsOf({ instance_group: groups }, 8), groups);
});

test('provider attempts: TensorRT+CUDA, then CUDA alone, then the CPU only when allowed', () => {
  assert.deepEqual(providerAttempts(['tensorrt', 'cuda'], false), [['tensorrt', 'cuda'], ['cuda']]);
  assert.deepEqual(providerAttempts(['tensorrt', 'cuda'], true), [['tensorrt', 'cuda'], ['cuda'], ['cpu']]);
  assert.deepEqual(providerAttempts(['cuda'], false), [['cuda']]);
  assert.deepEqual(providerAttempts(['cpu'], false), [['cpu']]);
  assert.deepEqual(providerAttempts(['cpu'], true), [['cpu']]);
});

test('a provider library that fails to load is explained: not installed, or its CUDA/TensorRT dependencies missing', () => {
  const ortMessage = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
  assert.match(explainProviderFailure(['cuda'], ortMessage, () => false), /the cuda execution provider is not installed .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  assert.match(explainProviderFailure(['cuda'], ortMessage, () => true), /could not be loaded: CUDA 12 \(libcudart\.so\.12.*cuDNN 9 \(libcudnn\.so\.9\)/);
  assert.match(explainProviderFailure(['tensorrt', 'cuda'], ortMessage.replace('Cuda', 'TensorRT'), () => true), /TensorRT 10 \(libnvinfer\.so\.10\)/);
  // Anything else (a broken model, a device error) keeps its own words.
  assert.equal(explainProviderFailure(['cuda'], 'CUDA failure 100: no CUDA-capable device is detected', () => true), 'CUDA failure 100: no CUDA-capable device is detected');
});

test('CUDA_VISIBLE_DEVICES narrows and renumbers as CUDA does', () => {
  assert.equal(cudaVisibleCount(2, undefined), 2);
  assert.equal(cudaVisibleCount(2, ''), 0);
  assert.equal(cudaVisibleCount(2, '-1'), 0);
  assert.equal(cudaVisibleCount(2, '1'), 1);
  assert.equal(cudaVisibleCount(4, '2, 0'), 2);
  assert.equal(cudaVisibleCount(2, '0,1,5'), 2, 'read up to the first out-of-range index');
  assert.equal(cudaVisibleCount(4, '0,-1,1'), 1, 'an invalid entry hides the rest');
  assert.equal(cudaVisibleCount(4, '1,1'), 1, 'a repeated index ends the list');
  assert.equal(cudaVisibleCount(2, 'GPU-8f6e2a1c-1d2e-4f00-9a6b-2c3d4e5f6a7b,1'), 2);
  assert.equal(cudaVisibleCount(1, 'MIG-1a2b,MIG-3c4d'), 1, 'never more than the driver has');
  assert.equal(cudaVisibleCount(0, '0'), 0);
});

test('nvidia-smi -L lines are counted', () => {
  const output = 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)\n  MIG 1g.10gb Device 0: (UUID: MIG-bbbb)\nGPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-cccc)\n';
  assert.equal(countNvidiaSmiGpus(output), 2);
  assert.equal(countNvidiaSmiGpus('No devices found.\n'), 0);
});

test('a batch goes to the first pool with an idle worker, else to the least loaded', () => {
  assert.equal(pickPool([0, 0], [1, 2]), 0);
  assert.equal(pickPool([1, 0], [1, 2]), 1);
  assert.equal(pickPool([1, 1], [1, 2]), 1);
  assert.equal(pickPool([1, 2], [1, 2]), 0, 'all busy: the first of the equally loaded');
  assert.equal(pickPool([2, 2], [1, 4]), 1, 'all busy: the least loaded by share');
});
