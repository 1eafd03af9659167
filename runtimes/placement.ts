import type { Device } from './runtime.ts';

/**
 * Where a version's instances run: instance groups (Triton's instance_group)
 * expanded against what the host offers into pools of identical workers.
 * Pure: the host facts are probed elsewhere (gpu-devices.ts, onnx-providers.ts, host-facts.ts).
 */

export type InstanceKind = 'cpu' | 'gpu' | 'auto';

export interface InstanceGroup {
  kind: InstanceKind;
  /** Instances per listed GPU (gpu/auto), or on the CPU (cpu, and auto without a usable GPU). */
  count: number;
  /** CUDA ordinals as this process sees them; every visible GPU when omitted. */
  gpus?: readonly number[] | undefined;
}

export type GpuProvider = 'tensorrt' | 'cuda';
export type ProviderName = GpuProvider | 'cpu';

/** The runtime's GPU execution providers on this host. */
export interface ProviderFacts {
  /** Usable GPU providers, best first (TensorRT before CUDA). */
  gpu: readonly GpuProvider[];
  /** Why CUDA is not usable and how to install it; set when `gpu` is empty. */
  cudaMissing?: string | undefined;
  /** The runtime can only use GPU 0 of the process (TensorFlow.js): gpu groups default to it and may list no other. */
  firstGpuOnly?: boolean | undefined;
}

export interface HostFacts {
  /** CPU cores this process may use. */
  cores: number;
  /** GPUs this process can use: CUDA ordinals 0 .. gpus-1. */
  gpus: number;
  /** How `gpus` was found, for messages (no paths: reasons are shown to clients). */
  gpuNote: string;
  providers: ProviderFacts;
}

/** Workers that share one device: one pool. */
export interface PlacedPool {
  device: Device;
  /** CUDA ordinal when device is gpu. */
  deviceId?: number | undefined;
  count: number;
  /** Intra-op threads of each worker's session. */
  intraOpThreads: number;
  /** Execution providers to open the sessions with, best first. */
  providers: readonly ProviderName[];
  /** kind auto: a GPU session that cannot be opened opens on the CPU instead. */
  cpuFallback: boolean;
}

export interface Placement {
  pools: PlacedPool[];
  /** Workers in all pools: the version's batches in flight at most. */
  instances: number;
  /** kind auto groups that run on the CPU, and why: logged once per load. */
  warnings: string[];
}

/** A group that cannot be placed (kind gpu without a usable GPU): the version fails to load with this reason. */
export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

/**
 * Expands groups into pools. CPU workers share the cores (each gets
 * floor(cores / CPU workers) intra-op threads, at least 1) so a version never
 * oversubscribes them; GPU workers get one intra-op thread, since their compute
 * runs on the device. Entries of the same device (and fallback rule) merge into one pool.
 */
export function placeInstances(groups: readonly InstanceGroup[], host: HostFacts): Placement {
  const entries: Omit<PlacedPool, 'intraOpThreads'>[] = [];
  const warnings: string[] = [];
  groups.forEach((group, index) => {
    if (group.kind === 'cpu') {
      entries.push(cpuEntry(group.count));
      return;
    }
    const problems = gpuProblems(group, host);
    if (problems.length > 0) {
      const where = `instance_group[${index}] (kind ${group.kind})`;
      if (group.kind === 'gpu') throw new PlacementError(`${where} has no usable GPU: ${problems.join('; ')}`);
      warnings.push(`${where} runs on the CPU: ${problems.join('; ')}`);
      entries.push(cpuEntry(group.count));
      return;
    }
    for (const deviceId of group.gpus ?? (host.providers.firstGpuOnly ? [0] : range(host.gpus))) {
      entries.push({ device: 'gpu', deviceId, count: group.count, providers: host.providers.gpu, cpuFallback: group.kind === 'auto' });
    }
  });
  const merged = new Map<string, Omit<PlacedPool, 'intraOpThreads'>>();
  for (const entry of entries) {
    const key = `${entry.device}:${entry.deviceId ?? ''}:${entry.cpuFallback}`;
    const seen = merged.get(key);
    if (seen === undefined) merged.set(key, { ...entry });
    else seen.count += entry.count;
  }
  const cpuWorkers = entries.filter((e) => e.device === 'cpu').reduce((sum, e) => sum + e.count, 0);
  const cpuThreads = Math.max(1, Math.floor(host.cores / Math.max(1, cpuWorkers)));
  const pools = [...merged.values()].map((entry) => ({ ...entry, intraOpThreads: entry.device === 'cpu' ? cpuThreads : 1 }));
  return { pools, instances: pools.reduce((sum, p) => sum + p.count, 0), warnings };
}

/** What keeps a gpu/auto group off the GPU; empty when it can be placed. */
function gpuProblems(group: InstanceGroup, host: HostFacts): string[] {
  const problems: string[] = [];
  if (host.providers.gpu.length === 0) problems.push(host.providers.cudaMissing ?? 'the runtime has no GPU execution provider');
  if (host.gpus === 0) {
    problems.push(`no NVIDIA GPU is visible (${host.gpuNote})`);
  } else {
    const missing = (group.gpus ?? []).filter((id) => id >= host.gpus);
    if (missing.length > 0) {
      const visible = host.gpus === 1 ? 'GPU 0' : `GPUs 0-${host.gpus - 1}`;
      problems.push(`gpus ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not visible: this process sees ${visible} (${host.gpuNote})`);
    }
    const others = host.providers.firstGpuOnly ? (group.gpus ?? []).filter((id) => id !== 0 && id < host.gpus) : [];
    if (others.length > 0) problems.push(`gpus ${others.join(', ')}: this runtime uses GPU 0 only (choose the device with CUDA_VISIBLE_DEVICES)`);
  }
  return problems;
}

function cpuEntry(count: number): Omit<PlacedPool, 'intraOpThreads'> {
  return { device: 'cpu', count, providers: ['cpu'], cpuFallback: false };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The groups of a config: `instance_group`, or the shorthand `instance_count` /
 * `device` as one group. Without either: one CPU worker per core.
 */
export function instanceGroupsOf(
  config: { instance_group?: readonly InstanceGroup[] | undefined; instance_count?: number | undefined; device?: Device | undefined } | undefined,
  cores: number,
): readonly InstanceGroup[] {
  if (config?.instance_group !== undefined) return config.instance_group;
  const kind = config?.device ?? 'cpu';
  return [{ kind, count: config?.instance_count ?? (kind === 'cpu' ? cores : 1) }];
}

/** True when some group may want a GPU: only then is the host probed for GPUs. */
export function wantsGpu(groups: readonly InstanceGroup[]): boolean {
  return groups.some((g) => g.kind !== 'cpu');
}

/** One line for logs, metadata and model_info: the distinct providers in pool order, e.g. "cuda,cpu". */
export function providerSummary(providers: readonly string[]): string {
  return [...new Set(providers)].join(',') || 'none';
}
