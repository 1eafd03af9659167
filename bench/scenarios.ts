/**
 * What `npm run bench` measures, as data. A scenario names the servers it
 * compares and the request each one gets; run.ts knows how to start servers,
 * drive load and print rows. New scenarios (dynamic batching, binary tensors,
 * a compute-heavy model) are new entries here, plus a new server in
 * run.ts's SERVERS when they need one (e.g. the gateway with batching on).
 *
 * Ratios compare each target with the scenario's LAST target (the reference,
 * usually the naive baseline), measured in the same run.
 */

/**
 * A server run.ts can start (see SERVERS there): the gateway on the sample
 * repository as committed (its configs enable dynamic batching), the same with
 * `dynamic_batching` removed from every config (one worker task per request),
 * and the naive baseline.
 */
export type ServerName = 'gateway' | 'gateway-nobatch' | 'baseline';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** JSON text (sent with content-type: application/json). */
  body?: string;
}

export interface LoadTarget {
  server: ServerName;
  request: RequestSpec;
}

/** Closed-loop load at a fixed concurrency against each target in turn. */
export interface LoadScenario {
  kind: 'load';
  name: string;
  /** The report section (one markdown table each). */
  section: string;
  title: string;
  connections: number;
  /** The last one is the reference: every other row shows its ratio to it. */
  targets: readonly [LoadTarget, LoadTarget, ...LoadTarget[]];
  /** Compare one response of each target before loading them (same model, same request). */
  sameOutputs?: boolean;
  /** Name of the scenario whose req/s, per server, is this one's ceiling (shown as a share). */
  ceiling?: string;
}

/** Cold starts of each server: spawn → listening → ready, median of `starts`. */
export interface StartupScenario {
  kind: 'startup';
  name: string;
  section: string;
  starts: number;
  servers: readonly ServerName[];
}

/** A self-contained micro-benchmark script that prints `{ "markdown": "…", … }` with --json. */
export interface ScriptScenario {
  kind: 'script';
  name: string;
  section: string;
  script: string;
  args?: readonly string[];
  /** Run under `taskset -c <cpus>` (Linux): e.g. '0' keeps every thread on one CPU. */
  cpus?: string;
}

export type Scenario = LoadScenario | StartupScenario | ScriptScenario;

// ---- request bodies -----------------------------------------------------------------------

/** Iris rows (sepal length, sepal width, petal length, petal width), from the training data. */
const IRIS_ROWS: readonly (readonly number[])[] = [
  [5.1, 3.5, 1.4, 0.2], [4.9, 3, 1.4, 0.2], [5.2, 2.7, 3.9, 1.4], [6, 2.2, 4, 1],
  [7.7, 2.8, 6.7, 2], [6.7, 3.3, 5.7, 2.1], [5.4, 3.9, 1.7, 0.4], [6.2, 2.8, 4.8, 1.8],
];

function irisBody(rows: number): string {
  const data = Array.from({ length: rows }, (_, i) => IRIS_ROWS[i % IRIS_ROWS.length]!).flat();
  return JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 4], datatype: 'FP32', data }] });
}

const PETAL_WIDTH_BODY = JSON.stringify({
  inputs: [
    { name: 'numeric', shape: [1, 3], datatype: 'FP32', data: [5.8, 2.7, 5.1] },
    { name: 'species', shape: [1], datatype: 'INT64', data: [2] },
  ],
});

const infer = (path: string, body: string): RequestSpec => ({ method: 'POST', path, body });

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

export const SCENARIOS: readonly Scenario[] = [
  { kind: 'startup', name: 'startup', section: 'Startup (sample repository)', starts: 3, servers: ['gateway', 'baseline'] },

  ...([
    ['iris-v1', 'iris v1 (softmax), 1 row', '/v2/models/iris/versions/1/infer', irisBody(1)],
    ['iris-v2', 'iris v2 (MLP), 1 row', '/v2/models/iris/versions/2/infer', irisBody(1)],
    ['iris_petal_width', 'iris_petal_width v1, 1 row', '/v2/models/iris_petal_width/versions/1/infer', PETAL_WIDTH_BODY],
  ] as const).map(([id, title, path, body]): LoadScenario => ({
    kind: 'load',
    name: `latency/${id}`,
    section: 'Single-request latency, concurrency 1',
    title,
    connections: 1,
    targets: gatewayVsBaseline(infer(path, body)),
    sameOutputs: true,
    ceiling: 'latency/ping',
  })),

  {
    kind: 'load',
    name: 'latency/ping',
    section: 'Single-request latency, concurrency 1',
    title: 'HTTP floor: GET /v2/health/live (gateway) vs GET /ping (baseline)',
    connections: 1,
    targets: pingTargets(),
  },

  {
    kind: 'load',
    name: 'throughput/iris-1row',
    ceiling: 'throughput/ping',
    section: 'Throughput, concurrency 32',
    title: 'iris (latest = v2), 1 row',
    connections: 32,
    targets: gatewayVsBaseline(infer('/v2/models/iris/infer', irisBody(1))),
    sameOutputs: true,
  },
  {
    kind: 'load',
    name: 'throughput/iris-8rows',
    ceiling: 'throughput/ping',
    section: 'Throughput, concurrency 32',
    title: 'iris (latest = v2), 8 rows',
    connections: 32,
    targets: gatewayVsBaseline(infer('/v2/models/iris/infer', irisBody(8))),
    sameOutputs: true,
  },
  {
    kind: 'load',
    name: 'throughput/ping',
    section: 'Throughput, concurrency 32',
    title: 'HTTP ceiling: GET /v2/health/live (gateway) vs GET /ping (baseline)',
    connections: 32,
    targets: pingTargets(),
  },

  { kind: 'script', name: 'dispatch-overhead', section: 'Worker dispatch overhead (no HTTP), threads free to use every CPU', script: 'bench/dispatch-overhead.ts' },
  // The same, with every thread on CPU 0: a hand-off is then a context switch, not a
  // wake-up of another (possibly idle, virtual) CPU; the difference is the cross-CPU wake cost.
  { kind: 'script', name: 'dispatch-overhead/one-cpu', section: 'Worker dispatch overhead (no HTTP), every thread pinned to CPU 0', script: 'bench/dispatch-overhead.ts', cpus: '0' },
];
