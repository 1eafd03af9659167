import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * Which NVIDIA GPUs this process can use, found without a CUDA binding:
 *
 * 1. The GPUs the kernel driver lists in `/proc/driver/nvidia/gpus/` (one
 *    folder per PCI device; inside a container the NVIDIA container runtime
 *    shows only the granted ones). Where that folder does not exist (WSL2),
 *    `nvidia-smi -L`, when it is on PATH.
 * 2. `CUDA_VISIBLE_DEVICES` then narrows and renumbers them as CUDA does: the
 *    process sees ordinals 0 .. n-1.
 *
 * Neither loads the driver, so the probe is cheap and safe on any machine.
 */

const DRIVER_GPU_LIST = '/proc/driver/nvidia/gpus';
const NVIDIA_SMI_TIMEOUT_MS = 5000;

export interface GpuInventory {
  /** CUDA ordinals 0 .. visible-1 are usable. */
  visible: number;
  /** How that was found, without paths (it ends up in load failure reasons). */
  note: string;
}

/**
 * How many devices CUDA exposes given `physical` GPUs and CUDA_VISIBLE_DEVICES,
 * following CUDA's rules: unset → all; a comma list of indices or UUIDs
 * (GPU-…, MIG-…) is read up to the first invalid entry (out of range, repeated,
 * or neither form: "-1" hides everything after it); empty → none.
 */
export function cudaVisibleCount(physical: number, cudaVisibleDevices: string | undefined): number {
  if (cudaVisibleDevices === undefined) return physical;
  const seen = new Set<string>();
  let count = 0;
  for (const raw of cudaVisibleDevices.split(',')) {
    const entry = raw.trim();
    const index = /^\d+$/.test(entry) ? Number(entry) : undefined;
    const valid = index !== undefined ? index < physical : /^(GPU|MIG)-[0-9A-Za-z-]+$/.test(entry);
    const key = index !== undefined ? String(index) : entry;
    if (!valid || seen.has(key)) break;
    seen.add(key);
    count += 1;
  }
  return Math.min(count, physical);
}

/** Counts `GPU n: …` lines of `nvidia-smi -L`. */
export function countNvidiaSmiGpus(output: string): number {
  return output.split('\n').filter((line) => /^GPU \d+:/.test(line.trim())).length;
}

async function physicalGpus(): Promise<{ count: number; source: string }> {
  try {
    const entries = await readdir(DRIVER_GPU_LIST);
    return { count: entries.length, source: `the NVIDIA driver lists ${entries.length}` };
  } catch {
    // No NVIDIA kernel driver here (or WSL2, which has none in proc): ask nvidia-smi.
  }
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', ['-L'], { timeout: NVIDIA_SMI_TIMEOUT_MS });
    const count = countNvidiaSmiGpus(stdout);
    return { count, source: `nvidia-smi lists ${count}` };
  } catch {
    return { count: 0, source: 'no NVIDIA driver: the driver lists no GPU and nvidia-smi is not on PATH' };
  }
}

let probed: Promise<GpuInventory> | undefined;

/** The GPUs this process can use; probed once per process. */
export function probeGpus(): Promise<GpuInventory> {
  probed ??= (async () => {
    const physical = await physicalGpus();
    const mask = process.env.CUDA_VISIBLE_DEVICES;
    const visible = cudaVisibleCount(physical.count, mask);
    const note = mask === undefined || physical.count === 0 ? physical.source : `${physical.source}; CUDA_VISIBLE_DEVICES="${mask}" leaves ${visible}`;
    return { visible, note };
  })();
  return probed;
}
