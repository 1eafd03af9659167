import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerName } from './scenarios.ts';
import { REPO_ROOT, SAMPLE_REPOSITORY, spawnBaseline, spawnGateway, type ServerProcess } from './processes.ts';
import { withIrisMonitoring, withoutDynamicBatching } from './repository-variants.ts';
import { patchedGateway, type GatewayVariant } from './gateway-variants.ts';

/** The servers scenarios can name: how to start each, and how to tell it is ready. */

export const BENCH_REPOSITORY = path.join(REPO_ROOT, 'bench/models');

export interface SpawnContext {
  /** `startup`: spawned for a cold-start measurement (the gateway logs at info to print its lines). */
  startup: boolean;
  /** Node flags for the server process (e.g. --cpu-prof …). */
  nodeFlags?: readonly string[];
}

export interface ServerKind {
  kind: 'gateway' | 'baseline';
  spawn(context: SpawnContext): Promise<ServerProcess>;
  /** Answers 200 once the server can serve inferences. */
  readyPath: string;
  /** A stdout line printed when startup finished, when the server has one. */
  startupLine?: string;
  /** Serves HTTP exactly like this other server (its ping rows stand for both). */
  sameHttpAs?: ServerName;
  /** What it serves, for the report. */
  describe: string;
}

const cleanup: string[] = [];
process.once('exit', () => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const dispatchRepositories = new Map<number | undefined, Promise<string>>();
/**
 * iris (from models/) and mlp_heavy (from bench/models/) in one temporary repository;
 * with `mlpInstances`, mlp_heavy's config.yaml gets that instance_count.
 */
function irisAndMlpHeavy(mlpInstances?: number): Promise<string> {
  let made = dispatchRepositories.get(mlpInstances);
  if (made === undefined) {
    made = (async () => {
      const target = await mkdtemp(path.join(os.tmpdir(), 'modelgate-bench-dispatch-'));
      cleanup.push(target);
      await cp(path.join(SAMPLE_REPOSITORY, 'iris'), path.join(target, 'iris'), { recursive: true });
      await cp(path.join(BENCH_REPOSITORY, 'mlp_heavy'), path.join(target, 'mlp_heavy'), { recursive: true });
      if (mlpInstances !== undefined) {
        const file = path.join(target, 'mlp_heavy', 'config.yaml');
        const document = parseDocument(await readFile(file, 'utf8'));
        document.set('instance_count', mlpInstances);
        await writeFile(file, document.toString());
      }
      return target;
    })();
    dispatchRepositories.set(mlpInstances, made);
  }
  return made;
}

function gateway(name: ServerName, describe: string, repository: () => Promise<string>, variant?: GatewayVariant): ServerKind {
  return {
    kind: 'gateway',
    describe,
    spawn: async ({ startup, nodeFlags }) => spawnGateway({
      name,
      repository: await repository(),
      logLevel: startup ? 'info' : 'warn',
      ...(variant === undefined ? {} : { root: await patchedGateway(variant) }),
      ...(nodeFlags === undefined ? {} : { nodeFlags }),
    }),
    readyPath: '/v2/health/ready',
    startupLine: '"msg":"startup complete"',
    ...(name === 'gateway' ? {} : { sameHttpAs: 'gateway' as const }),
  };
}

const sample = async (): Promise<string> => SAMPLE_REPOSITORY;
const bench = async (): Promise<string> => BENCH_REPOSITORY;

export const SERVERS: Record<ServerName, ServerKind> = {
  gateway: gateway('gateway', 'the gateway on models/ as it is', sample),
  'gateway-nobatch': gateway('gateway-nobatch', 'the gateway on a copy of models/ without dynamic_batching', () => withoutDynamicBatching(SAMPLE_REPOSITORY)),
  baseline: { kind: 'baseline', describe: 'the naive baseline on models/', spawn: ({ nodeFlags }) => spawnBaseline(nodeFlags === undefined ? {} : { nodeFlags }), readyPath: '/ping' },
  'gateway-bench': gateway('gateway-bench', 'the gateway on bench/models/', bench),
  'baseline-bench': {
    kind: 'baseline',
    describe: 'the naive baseline on bench/models/',
    spawn: ({ nodeFlags }) => spawnBaseline({ repository: BENCH_REPOSITORY, ...(nodeFlags === undefined ? {} : { nodeFlags }) }),
    readyPath: '/ping',
    sameHttpAs: 'baseline',
  },
  'gateway-monitoring-on': gateway('gateway-monitoring-on', 'the gateway on a copy of models/ with iris drift monitoring on', () => withIrisMonitoring(SAMPLE_REPOSITORY, true)),
  'gateway-monitoring-off': gateway('gateway-monitoring-off', 'the same copy with `monitoring: {enabled: false}` for iris', () => withIrisMonitoring(SAMPLE_REPOSITORY, false)),
  'gateway-dispatch': gateway('gateway-dispatch', 'the gateway on iris + mlp_heavy', () => irisAndMlpHeavy()),
  'gateway-dispatch-inflight+1': gateway('gateway-dispatch-inflight+1', 'a copy of the gateway with maxInflightBatches = instances + 1, on iris + mlp_heavy', () => irisAndMlpHeavy(), 'inflight+1'),
  'gateway-dispatch-atomics-async': gateway('gateway-dispatch-atomics-async', "a copy of the gateway with piscina atomics: 'async', on iris + mlp_heavy", () => irisAndMlpHeavy(), 'atomics-async'),
  'gateway-dispatch-two-per-worker': gateway('gateway-dispatch-two-per-worker', 'a copy of the gateway with piscina concurrentTasksPerWorker: 2 and maxInflightBatches = 2 × instances, on iris + mlp_heavy', () => irisAndMlpHeavy(), 'two-per-worker'),
  'gateway-dispatch-one-worker': gateway('gateway-dispatch-one-worker', 'the gateway on iris + mlp_heavy with instance_count: 1 for mlp_heavy (one worker, whose session gets 2 intra-op threads from the thread plan)', () => irisAndMlpHeavy(1)),
  'gateway-dispatch-atomics-disabled': gateway('gateway-dispatch-atomics-disabled', "a copy of the gateway with piscina atomics: 'disabled', on iris + mlp_heavy", () => irisAndMlpHeavy(), 'atomics-disabled'),
};
