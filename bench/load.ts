import autocannon from 'autocannon';
import { percentile, Samples } from './stats.ts';

/**
 * One closed-loop load run with autocannon, in this process (the harness is
 * the load generator; the servers under test run in their own processes).
 * `connections` is the concurrency: each connection sends its next request as
 * soon as the previous one answered, so req/s is what the server sustains.
 */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string | Buffer;
  headers?: Record<string, string>;
  connections: number;
  /** Run for this long (seconds)… */
  durationSeconds?: number;
  /** …or until this many responses arrived (wins over the duration). */
  requests?: number;
  /** Per-request timeout, seconds. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  connections: number;
  /** Wall time of the run, seconds. */
  seconds: number;
  /** 2xx responses per second of wall time. */
  requestsPerSecond: number;
  /** 2xx responses. */
  ok: number;
  /** Responses with another status. */
  non2xx: number;
  /** Connection errors and timeouts (no response at all). */
  errors: number;
  timeouts: number;
  /** Latency of the 2xx responses, milliseconds, exact percentiles. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  statusCodes: Record<string, number>;
  /** CPU seconds this process (the load generator) used during the run. */
  generatorCpuSeconds: number;
  /** CPU seconds the server process used during the run (all threads), when the caller measured it. */
  serverCpuSeconds?: number;
  /** Every 2xx latency, ms, ascending (for exact merging; left out of JSON reports). */
  latenciesMs: Float64Array;
}

/**
 * Autocannon checks its stop flag once per sample interval; a short interval
 * keeps a run close to the requested duration.
 */
const SAMPLE_INTERVAL_MS = 100;

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Samples();
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let latencySum = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers: options.headers ?? (options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.body === undefined ? {} : { body: options.body }),
        connections: options.connections,
        pipelining: 1,
        ...(options.requests === undefined ? { duration: options.durationSeconds ?? 5 } : { amount: options.requests }),
        timeout: options.timeoutSeconds ?? 10,
        sampleInt: SAMPLE_INTERVAL_MS,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStarted);
        const sortedLatencies = latencies.sorted();
        resolve({
          connections: options.connections,
          seconds,
          requestsPerSecond: ok / seconds,
          ok,
          non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          p50Ms: percentile(sortedLatencies, 50),
          p99Ms: percentile(sortedLatencies, 99),
          meanMs: ok > 0 ? latencySum / ok : Number.NaN,
          statusCodes,
          generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
          latenciesMs: sortedLatencies,
        });
      },
    );
    // autocannon's own latency histogram has a 1 ms grain; record each response exactly instead.
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      const key = String(statusCode);
      statusCodes[key] = (statusCodes[key] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencySum += responseTimeMs;
        latencies.push(responseTimeMs);
      } else {
        non2xx++;
      }
    });
  });
}

/** A short run whose numbers are thrown away: JIT, ORT arenas and keep-alive sockets warm up. Resolves the responses it got. */
export async function warmUp(options: LoadOptions, seconds: number): Promise<number> {
  if (seconds <= 0) return 0;
  const result = await runLoad({ ...options, durationSeconds: seconds, requests: undefined });
  return result.ok + result.non2xx;
}

/**
 * Pools several runs of the same load (e.g. the halves of an A-B-B-A
 * schedule): counts and wall time add up, latencies are pooled.
 */
export function mergeLoadResults(results: readonly LoadResult[]): LoadResult {
  const first = results[0];
  if (first === undefined) throw new Error('mergeLoadResults: no results');
  if (results.length === 1) return first;
  const sum = (pick: (r: LoadResult) => number): number => results.reduce((acc, r) => acc + pick(r), 0);
  const ok = sum((r) => r.ok);
  const seconds = sum((r) => r.seconds);
  const latenciesMs = new Float64Array(sum((r) => r.latenciesMs.length));
  let offset = 0;
  for (const r of results) {
    latenciesMs.set(r.latenciesMs, offset);
    offset += r.latenciesMs.length;
  }
  latenciesMs.sort();
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    connections: first.connections,
    seconds,
    requestsPerSecond: ok / seconds,
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    meanMs: ok > 0 ? sum((r) => (r.ok > 0 ? r.meanMs * r.ok : 0)) / ok : Number.NaN,
    statusCodes,
    generatorCpuSeconds: sum((r) => r.generatorCpuSeconds),
    ...(results.every((r) => r.serverCpuSeconds !== undefined) ? { serverCpuSeconds: sum((r) => r.serverCpuSeconds!) } : {}),
    latenciesMs,
  };
}
