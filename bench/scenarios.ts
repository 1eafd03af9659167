/**
 * What `npm run bench` measures, as data. A scenario names the servers it
 * compares and the request each one gets; run.ts knows how to start servers,
 * drive load and print rows (the server registry is bench/servers.ts).
 *
 * Ratios compare each target with the scenario's LAST target (the reference,
 * usually the naive baseline), measured in the same run. The TARGETS at the end
 * are the issues' acceptance checks, computed from the same numbers.
 *
 * Groups (`--only <group>`) select whole issues: `foundation`, `batching` (its parts
 * `tabular`, `heavy`, `large-input`, `dispatch`), `monitoring`.
 */
import {
  PETAL_WIDTH_BODY, imageBinaryRequest, imageJsonBody, irisBody, mlpHeavyBinaryRequest, mlpHeavyBody, MLP_FEATURES,
} from './request-bodies.ts';

/** A server run.ts can start (see bench/servers.ts for what each one serves). */
export type ServerName =
  // models/ as it is: the gateway (batching as configured), without dynamic_batching, the naive baseline.
  | 'gateway' | 'gateway-nobatch' | 'baseline'
  // bench/models/ (mlp_heavy, mlp_heavy_nobatch, image_large).
  | 'gateway-bench' | 'baseline-bench'
  // models/ with iris's drift monitoring on / off (both with a reference.json).
  | 'gateway-monitoring-on' | 'gateway-monitoring-off'
  // iris + mlp_heavy, served by the gateway as it is and by patched copies (bench/gateway-variants.ts).
  | 'gateway-dispatch' | 'gateway-dispatch-inflight+1' | 'gateway-dispatch-atomics-async' | 'gateway-dispatch-atomics-disabled'
  | 'gateway-dispatch-two-per-worker' | 'gateway-dispatch-one-worker';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** JSON text (sent with content-type: application/json) or raw bytes with `headers`. */
  body?: string | Buffer;
  /** Replace the default content-type header (e.g. a binary tensor request). */
  headers?: Record<string, string>;
  /** Batch rows one request carries (rows/s = req/s × rows); absent for non-inference routes. */
  rows?: number;
}

/** A server under closed-loop load. */
export interface ServerTarget {
  server: ServerName;
  request: RequestSpec;
  /** Row name and key in TARGETS; default: the server name. Unique within a scenario. */
  label?: string;
}

/**
 * onnxruntime in one process with no HTTP (bench/ort-ceiling.ts): every layout × batch
 * size, the best by rows/s is the row. Takes its turn in the alternation like a server.
 */
export interface CeilingTarget {
  ceiling: 'ort';
  label: string;
  /** Relative to the repository root. */
  model: string;
  input: string;
  rowShape: readonly number[];
  batches: readonly number[];
}

export type LoadTarget = ServerTarget | CeilingTarget;

export const targetLabel = (t: LoadTarget): string => ('ceiling' in t ? t.label : t.label ?? t.server);

/** Closed-loop load at a fixed concurrency against each target in turn. */
export interface LoadScenario {
  kind: 'load';
  name: string;
  /** Names `--only` matches exactly (besides substrings of `name`). */
  groups: readonly string[];
  /** The report section (one markdown table each). */
  section: string;
  /** Further sections whose table also shows this scenario's rows (measured once). */
  alsoIn?: readonly string[];
  title: string;
  connections: number;
  /** The last one is the reference: every other row shows its ratio to it. */
  targets: readonly [LoadTarget, LoadTarget, ...LoadTarget[]];
  /** Compare one response of each server target before loading them (same model, same request). */
  sameOutputs?: boolean;
  /** Name of the scenario whose req/s, per server, is this one's ceiling (shown as a share). */
  ceiling?: string;
  /** Alternation rounds (default: --rounds) and a multiplier of --duration, for small differences. */
  rounds?: number;
  durationFactor?: number;
  /** Before the load: each server must answer `status` on `path` (e.g. monitoring on / off). */
  expect?: readonly { server: ServerName; path: string; status: number; why: string }[];
}

/** Cold starts of each server: spawn → listening → ready, median of `starts`. */
export interface StartupScenario {
  kind: 'startup';
  name: string;
  groups: readonly string[];
  section: string;
  starts: number;
  servers: readonly ServerName[];
}

/** A self-contained micro-benchmark script that prints `{ "markdown": "…", … }` with --json. */
export interface ScriptScenario {
  kind: 'script';
  name: string;
  groups: readonly string[];
  section: string;
  script: string;
  args?: readonly string[];
  /** Run under `taskset -c <cpus>` (Linux): e.g. '0' keeps every thread on one CPU. */
  cpus?: string;
}

export type Scenario = LoadScenario | StartupScenario | ScriptScenario;

/**
 * An acceptance target of an issue: `numerator / denominator` of one metric, two targets of
 * one load scenario (by label), compared with `atLeast` / `atMost`.
 */
export interface TargetCheck {
  section: string;
  claim: string;
  scenario: string;
  metric: 'requestsPerSecond' | 'rowsPerSecond' | 'p99Ms' | 'cpuPerRequestUs';
  numerator: string;
  denominator: string;
  atLeast?: number;
  atMost?: number;
}

// ---- requests -----------------------------------------------------------------------------

const infer = (path: string, body: string, rows: number): RequestSpec => ({ method: 'POST', path, body, rows });
const IRIS_1 = infer('/v2/models/iris/infer', irisBody(1), 1);
const MLP_1 = (model: string): RequestSpec => infer(`/v2/models/${model}/infer`, mlpHeavyBody(1), 1);
const IMAGE_JSON = infer('/v2/models/image_large/infer', imageJsonBody(), 1);
const imageBinary = imageBinaryRequest();
const mlpBinary = mlpHeavyBinaryRequest(1);
const MLP_1_BINARY: RequestSpec = { method: 'POST', path: '/v2/models/mlp_heavy/infer', body: mlpBinary.body, headers: mlpBinary.headers, rows: 1 };
const IMAGE_BINARY: RequestSpec = { method: 'POST', path: '/v2/models/image_large/infer', body: imageBinary.body, headers: imageBinary.headers, rows: 1 };

/** The same inference request against the gateway (batching as configured, then off) and the naive baseline. */
function gatewayVsBaseline(request: RequestSpec): LoadScenario['targets'] {
  return [{ server: 'gateway', request }, { server: 'gateway-nobatch', request }, { server: 'baseline', request }];
}

/** The cheapest route of each server: what HTTP alone costs. */
function pingTargets(): LoadScenario['targets'] {
  return [
    { server: 'gateway', request: { method: 'GET', path: '/v2/health/live' } },
    { server: 'baseline', request: { method: 'GET', path: '/ping' } },
  ];
}

// ---- the list -----------------------------------------------------------------------------

export const SECTIONS = {
  startup: 'Startup (sample repository)',
  latency: 'Single-request latency, concurrency 1',
  throughput: 'Throughput, concurrency 32',
  tabular: 'Batching: small tabular model (iris), concurrency 1, 32 and 128',
  heavy: 'Batching: compute-heavy model (mlp_heavy), concurrency 32',
  largeInput: 'Binary tensors: large input (image_large, 1×3×224×224 FP32), concurrency 8',
  dispatch: 'Dispatch settings over HTTP: piscina and in-flight batches, concurrency 32',
  dispatchScript: 'Dispatch settings without HTTP: piscina options and tasks in flight, on the gateway worker',
  dispatchFree: 'Worker dispatch overhead (no HTTP), threads free to use every CPU',
  dispatchPinned: 'Worker dispatch overhead (no HTTP), every thread pinned to CPU 0',
  monitoring: 'Monitoring cost: iris with drift monitoring on vs off, concurrency 32',
  tfjs: 'TensorFlow.js (iris_tfjs) vs ONNX (iris v2): the same MLP shape in one gateway, concurrency 32',
  targets: 'Targets',
} as const;

const FOUNDATION = ['foundation'];
const TABULAR = ['batching', 'tabular'];

export const SCENARIOS: readonly Scenario[] = [
  {
    // Both models are 4 -> 8 tanh -> 3 MLPs with 2 workers and dynamic batching, served by one
    // gateway process: the ratio is the tfjs runtime (on its backend here: WASM) against onnxruntime.
    kind: 'load',
    name: 'tfjs/iris',
    groups: ['tfjs'],
    section: SECTIONS.tfjs,
    title: 'iris_tfjs (tfjs layers model) vs iris v2 (ONNX), 1 row',
    connections: 32,
    targets: [
      { server: 'gateway', label: 'gateway iris_tfjs', request: infer('/v2/models/iris_tfjs/infer', irisBody(1), 1) },
      { server: 'gateway', label: 'gateway iris v2 (ONNX)', request: infer('/v2/models/iris/versions/2/infer', irisBody(1), 1) },
    ],
  },
  { kind: 'startup', name: 'startup', groups: FOUNDATION, section: SECTIONS.startup, starts: 3, servers: ['gateway', 'baseline'] },

  ...([
    ['iris-v1', 'iris v1 (softmax), 1 row', '/v2/models/iris/versions/1/infer', irisBody(1), false],
    ['iris-v2', 'iris v2 (MLP), 1 row', '/v2/models/iris/versions/2/infer', irisBody(1), true],
    ['iris_petal_width', 'iris_petal_width v1, 1 row', '/v2/models/iris_petal_width/versions/1/infer', PETAL_WIDTH_BODY, false],
  ] as const).map(([id, title, path, body, tabular]): LoadScenario => ({
    kind: 'load',
    name: `latency/${id}`,
    groups: tabular ? [...FOUNDATION, ...TABULAR] : FOUNDATION,
    section: SECTIONS.latency,
    ...(tabular ? { alsoIn: [SECTIONS.tabular] } : {}),
    title,
    connections: 1,
    targets: gatewayVsBaseline(infer(path, body, 1)),
    sameOutputs: true,
    ceiling: 'latency/ping',
  })),

  {
    kind: 'load',
    name: 'latency/ping',
    groups: [...FOUNDATION, ...TABULAR],
    section: SECTIONS.latency,
    alsoIn: [SECTIONS.tabular],
    title: 'HTTP floor: GET /v2/health/live (gateway) vs GET /ping (baseline)',
    connections: 1,
    targets: pingTargets(),
  },

  {
    kind: 'load',
    name: 'throughput/iris-1row',
    groups: [...FOUNDATION, ...TABULAR],
    ceiling: 'throughput/ping',
    section: SECTIONS.throughput,
    alsoIn: [SECTIONS.tabular],
    title: 'iris (latest = v2), 1 row',
    connections: 32,
    targets: gatewayVsBaseline(IRIS_1),
    sameOutputs: true,
  },
  {
    kind: 'load',
    name: 'throughput/iris-8rows',
    groups: FOUNDATION,
    ceiling: 'throughput/ping',
    section: SECTIONS.throughput,
    title: 'iris (latest = v2), 8 rows',
    connections: 32,
    targets: gatewayVsBaseline(infer('/v2/models/iris/infer', irisBody(8), 8)),
    sameOutputs: true,
  },
  {
    kind: 'load',
    name: 'throughput/ping',
    groups: [...FOUNDATION, ...TABULAR],
    section: SECTIONS.throughput,
    alsoIn: [SECTIONS.tabular],
    title: 'HTTP ceiling: GET /v2/health/live (gateway) vs GET /ping (baseline)',
    connections: 32,
    targets: pingTargets(),
  },

  // ---- batching issue -----------------------------------------------------------------------
  {
    kind: 'load',
    name: 'tabular/iris-1row-c128',
    groups: TABULAR,
    ceiling: 'tabular/ping-c128',
    section: SECTIONS.tabular,
    title: 'iris (latest = v2), 1 row',
    connections: 128,
    targets: [{ server: 'gateway', request: IRIS_1 }, { server: 'baseline', request: IRIS_1 }],
    sameOutputs: true,
  },
  {
    kind: 'load',
    name: 'tabular/ping-c128',
    groups: TABULAR,
    section: SECTIONS.tabular,
    title: 'HTTP ceiling: GET /v2/health/live (gateway) vs GET /ping (baseline)',
    connections: 128,
    targets: pingTargets(),
  },

  {
    kind: 'load',
    name: 'heavy/mlp_heavy-c32',
    groups: ['batching', 'heavy'],
    section: SECTIONS.heavy,
    title: 'mlp_heavy, 1 row per request',
    connections: 32,
    targets: [
      { server: 'gateway-bench', label: 'gateway, batching on (mlp_heavy)', request: MLP_1('mlp_heavy') },
      // Not a target: how much of the distance to the ceiling the JSON request body accounts for.
      { server: 'gateway-bench', label: 'gateway, batching on, binary request', request: MLP_1_BINARY },
      { server: 'gateway-bench', label: 'gateway, batching off (mlp_heavy_nobatch)', request: MLP_1('mlp_heavy_nobatch') },
      { ceiling: 'ort', label: 'in-process ORT ceiling', model: 'bench/models/mlp_heavy/1/model.onnx', input: 'input', rowShape: [MLP_FEATURES], batches: [1, 8, 16, 32, 64] },
      { server: 'baseline-bench', label: 'baseline', request: MLP_1('mlp_heavy') },
    ],
    sameOutputs: true,
  },

  {
    kind: 'load',
    name: 'large-input/image_large-c8',
    groups: ['batching', 'large-input'],
    section: SECTIONS.largeInput,
    title: 'image_large, 1 image per request (JSON: 2.9 MB body; binary: 602 KB + header); outputs as JSON',
    connections: 8,
    targets: [
      { server: 'gateway-bench', label: 'gateway, binary request', request: IMAGE_BINARY },
      { server: 'gateway-bench', label: 'gateway, JSON request', request: IMAGE_JSON },
      { server: 'baseline-bench', label: 'baseline, JSON request', request: IMAGE_JSON },
    ],
    sameOutputs: true,
  },

  ...([
    ['iris-c32', 'iris (latest = v2), 1 row', IRIS_1],
    ['mlp_heavy-c32', 'mlp_heavy, 1 row', MLP_1('mlp_heavy')],
  ] as const).map(([id, title, request]): LoadScenario => ({
    kind: 'load',
    name: `dispatch/${id}`,
    groups: ['batching', 'dispatch'],
    section: SECTIONS.dispatch,
    title,
    connections: 32,
    targets: [
      { server: 'gateway-dispatch-inflight+1', label: 'maxInflightBatches = workers + 1', request },
      { server: 'gateway-dispatch-atomics-async', label: "piscina atomics 'async'", request },
      { server: 'gateway-dispatch-two-per-worker', label: 'concurrentTasksPerWorker 2, maxInflightBatches = 2 × workers', request },
      // 'gateway-dispatch-atomics-disabled' exists too; left out of the default run (time), its
      // in-process numbers are in the dispatch-settings table.
      ...(id === 'mlp_heavy-c32'
        // Not a piscina setting: one worker instead of two, so that fewer threads compete with
        // the main thread for the 2 cores. (The gateway's thread plan then gives that worker's
        // session 2 intra-op threads.)
        ? [{ server: 'gateway-dispatch-one-worker' as const, label: 'instance_count 1 (one worker, 2 intra-op threads)', request }]
        : []),
      { server: 'gateway-dispatch', label: 'gateway as is', request },
    ] as unknown as LoadScenario['targets'],
    sameOutputs: true,
  })),
  { kind: 'script', name: 'dispatch-settings', groups: ['batching', 'dispatch'], section: SECTIONS.dispatchScript, script: 'bench/dispatch-settings.ts' },
  { kind: 'script', name: 'dispatch-overhead', groups: [...FOUNDATION, 'batching', 'dispatch'], section: SECTIONS.dispatchFree, script: 'bench/dispatch-overhead.ts' },
  // The same, with every thread on CPU 0: a hand-off is then a context switch, not a
  // wake-up of another (possibly idle, virtual) CPU; the difference is the cross-CPU wake cost.
  { kind: 'script', name: 'dispatch-overhead/one-cpu', groups: [...FOUNDATION, 'batching', 'dispatch'], section: SECTIONS.dispatchPinned, script: 'bench/dispatch-overhead.ts', cpus: '0' },

  // ---- monitoring issue ---------------------------------------------------------------------
  {
    kind: 'load',
    name: 'monitoring/iris-c32',
    groups: ['monitoring'],
    section: SECTIONS.monitoring,
    title: 'iris (latest = v2), 1 row',
    connections: 32,
    // A 5 % difference is below this machine's noise between two slices: more, shorter
    // alternations, and twice the time.
    rounds: 8,
    durationFactor: 2,
    targets: [
      { server: 'gateway-monitoring-on', label: 'gateway, monitoring on', request: IRIS_1 },
      { server: 'gateway-monitoring-off', label: 'gateway, monitoring off', request: IRIS_1 },
    ],
    sameOutputs: true,
    expect: [
      { server: 'gateway-monitoring-on', path: '/v2/models/iris/versions/2/drift', status: 200, why: 'drift monitoring is on' },
      { server: 'gateway-monitoring-off', path: '/v2/models/iris/versions/2/drift', status: 404, why: 'drift monitoring is off' },
    ],
  },
];

export const TARGETS: readonly TargetCheck[] = [
  { section: SECTIONS.tabular, claim: 'iris c=128: gateway req/s ≥ 1.5× baseline', scenario: 'tabular/iris-1row-c128', metric: 'requestsPerSecond', numerator: 'gateway', denominator: 'baseline', atLeast: 1.5 },
  { section: SECTIONS.tabular, claim: 'iris c=128: gateway p99 no worse than baseline', scenario: 'tabular/iris-1row-c128', metric: 'p99Ms', numerator: 'gateway', denominator: 'baseline', atMost: 1 },
  { section: SECTIONS.heavy, claim: 'mlp_heavy c=32: batching on ≥ 2× batching off (rows/s)', scenario: 'heavy/mlp_heavy-c32', metric: 'rowsPerSecond', numerator: 'gateway, batching on (mlp_heavy)', denominator: 'gateway, batching off (mlp_heavy_nobatch)', atLeast: 2 },
  { section: SECTIONS.heavy, claim: 'mlp_heavy c=32: gateway rows/s ≥ 0.8× in-process ORT ceiling', scenario: 'heavy/mlp_heavy-c32', metric: 'rowsPerSecond', numerator: 'gateway, batching on (mlp_heavy)', denominator: 'in-process ORT ceiling', atLeast: 0.8 },
  { section: SECTIONS.largeInput, claim: 'image_large c=8: binary ≥ 4× JSON (req/s)', scenario: 'large-input/image_large-c8', metric: 'requestsPerSecond', numerator: 'gateway, binary request', denominator: 'gateway, JSON request', atLeast: 4 },
  { section: SECTIONS.monitoring, claim: 'iris c=32: monitoring on costs ≤ 5 % throughput', scenario: 'monitoring/iris-c32', metric: 'requestsPerSecond', numerator: 'gateway, monitoring on', denominator: 'gateway, monitoring off', atLeast: 0.95 },
  { section: SECTIONS.monitoring, claim: 'iris c=32: server CPU per request, monitoring on / off (for reading, no target)', scenario: 'monitoring/iris-c32', metric: 'cpuPerRequestUs', numerator: 'gateway, monitoring on', denominator: 'gateway, monitoring off' },
];
