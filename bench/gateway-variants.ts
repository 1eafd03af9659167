import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './processes.ts';

/**
 * Gateways with a setting changed that the gateway does not expose (piscina options in
 * runtimes/pool.ts, the batcher's maxInflightBatches in gateway/models/model-version.ts):
 * a temporary copy of the sources (bin/, gateway/, runtimes/, package.json; node_modules
 * linked) with a textual patch, run like the real one (`node <copy>/bin/modelgate.js`,
 * which bundles the copy into its own dist/). The working tree is never touched. A patch
 * whose text is not found exactly once fails the variant loudly: the sources moved on and
 * the patch needs updating, rather than silently measuring the unpatched gateway.
 */

export interface SourcePatch {
  /** Path relative to the repository root. */
  file: string;
  find: string;
  replace: string;
}

export const GATEWAY_VARIANTS = {
  /** One batch more than workers in flight: it waits in piscina's queue, so a worker that finishes finds its next batch without waiting for the batcher. */
  'inflight+1': [
    { file: 'gateway/models/model-version.ts', find: 'maxInflightBatches: instances,', replace: 'maxInflightBatches: instances + 1,' },
  ],
  /** piscina `atomics: 'async'`: workers wait with Atomics.waitAsync, keeping their event loop. */
  'atomics-async': [
    { file: 'runtimes/pool.ts', find: 'concurrentTasksPerWorker: 1,', replace: "concurrentTasksPerWorker: 1, atomics: 'async'," },
  ],
  /** piscina `concurrentTasksPerWorker: 2` and two batches in flight per worker: each worker holds its next batch while it runs one. */
  'two-per-worker': [
    { file: 'runtimes/pool.ts', find: 'concurrentTasksPerWorker: 1,', replace: 'concurrentTasksPerWorker: 2,' },
    { file: 'gateway/models/model-version.ts', find: 'maxInflightBatches: instances,', replace: 'maxInflightBatches: 2 * instances,' },
  ],
  /** piscina `atomics: 'disabled'`: plain MessagePort messages. */
  'atomics-disabled': [
    { file: 'runtimes/pool.ts', find: 'concurrentTasksPerWorker: 1,', replace: "concurrentTasksPerWorker: 1, atomics: 'disabled'," },
  ],
} satisfies Record<string, SourcePatch[]>;

export type GatewayVariant = keyof typeof GATEWAY_VARIANTS;

const made = new Map<GatewayVariant, Promise<string>>();
const cleanup: string[] = [];
process.once('exit', () => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** The root of a patched copy of the gateway; its `bin/modelgate.js` serves like the real one. */
export function patchedGateway(name: GatewayVariant): Promise<string> {
  let root = made.get(name);
  if (root === undefined) {
    root = (async () => {
      const target = await mkdtemp(path.join(os.tmpdir(), `modelgate-bench-gw-${name}-`));
      cleanup.push(target);
      for (const entry of ['bin', 'gateway', 'runtimes', 'package.json']) {
        await cp(path.join(REPO_ROOT, entry), path.join(target, entry), { recursive: true });
      }
      await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(target, 'node_modules'), 'dir');
      for (const patch of GATEWAY_VARIANTS[name] as readonly SourcePatch[]) {
        const file = path.join(target, patch.file);
        const text = await readFile(file, 'utf8');
        const count = text.split(patch.find).length - 1;
        if (count !== 1) throw new Error(`gateway variant ${name}: "${patch.find}" occurs ${count} times in ${patch.file} (expected once); update bench/gateway-variants.ts`);
        await writeFile(file, text.replace(patch.find, patch.replace));
      }
      return target;
    })();
    made.set(name, root);
  }
  return root;
}
