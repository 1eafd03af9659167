import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * A real Prometheus server for integration tests: the binary from PATH (Debian's
 * `prometheus` package), a generated config in a temp directory, a temp TSDB, a
 * loopback port chosen by the OS. Every wait is bounded.
 */

export const PROMETHEUS_MISSING = 'prometheus not installed: apt-get install prometheus';

export function prometheusInstalled(): boolean {
  return spawnSync('prometheus', ['--version'], { stdio: 'ignore', timeout: 10_000 }).error === undefined;
}

export interface PrometheusOptions {
  /** `host:port` of each scrape target (one job, `/metrics`). */
  targets: readonly string[];
  /** Absolute paths of rule files to load. */
  ruleFiles?: readonly string[];
  /** scrape_interval = scrape_timeout (and evaluation_interval unless set below), in seconds. Default 1. */
  intervalSeconds?: number;
  /** evaluation_interval alone, in seconds, when rules should not run in step with scrapes. Default intervalSeconds. */
  evaluationIntervalSeconds?: number;
  /** Default `modelgate`, the job the deploy/prometheus rules expect. */
  jobName?: string;
  /** How long to wait for `/-/ready`. Default 30 s. */
  readyTimeoutMs?: number;
}

/** One element of an instant vector: its labels and its value as a number. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/** Thrown by an attempt of `waitFor` to end the wait at once (the awaited thing can no longer happen). */
export class StopWaiting extends Error {}

/**
 * Calls `attempt` until it returns a value other than undefined, at most every
 * `intervalMs` and never past `timeoutMs` (then throws, naming `what` and the last
 * error `attempt` threw, if any).
 */
export async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / interval) + 1;
  let lastError: unknown;
  for (let i = 0; i < maxAttempts && Date.now() <= deadline; i++) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
}

/** A free loopback port: bound by the OS, then released (Prometheus needs a number up front). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const LOG_LIMIT = 64 * 1024;

export class RunningPrometheus {
  private output = '';

  private constructor(readonly url: string, private readonly child: ChildProcess, private readonly dir: string) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts Prometheus and resolves once `/-/ready` answers 200. */
  static async start(options: PrometheusOptions): Promise<RunningPrometheus> {
    // Prometheus durations are integers with a unit: 0.7 s is written 700ms.
    const duration = (seconds: number) => `${Math.round(seconds * 1000)}ms`;
    const interval = duration(options.intervalSeconds ?? 1);
    const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-prometheus-'));
    const configFile = path.join(dir, 'prometheus.yml');
    writeFileSync(configFile, stringify({
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: duration(options.evaluationIntervalSeconds ?? options.intervalSeconds ?? 1) },
      rule_files: [...(options.ruleFiles ?? [])],
      scrape_configs: [{ job_name: options.jobName ?? 'modelgate', metrics_path: '/metrics', static_configs: [{ targets: [...options.targets] }] }],
    }));
    // The port is released before Prometheus binds it; another process may take it in
    // between. Then Prometheus exits at once, and a new port is tried (3 tries).
    let failure = '';
    for (let tries = 0; tries < 3; tries++) {
      const port = await freePort();
      const child = spawn('prometheus', [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, `data-${tries}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=info',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      const prometheus = new RunningPrometheus(`http://127.0.0.1:${port}`, child, dir);
      try {
        await waitFor('Prometheus /-/ready', async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`prometheus exited (${child.exitCode ?? child.signalCode})`);
          const response = await fetch(`${prometheus.url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          return response.status === 200 ? true : undefined;
        }, { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 100 });
        return prometheus;
      } catch (error) {
        failure = `${error instanceof Error ? error.message : String(error)}\n${prometheus.log()}`;
        await prometheus.stopProcess();
        if (!/address already in use/.test(prometheus.log())) break;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Prometheus did not start: ${failure}`);
  }

  /** The last 64 KiB of what Prometheus wrote to stdout and stderr. */
  log(): string {
    return this.output;
  }

  /** An instant query (`/api/v1/query`), at `time` (Unix seconds) or now. Throws on an API error. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', time.toFixed(3));
    const response = await fetch(`${this.url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(5_000) });
    const body = await response.json() as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr}: ${body.error ?? response.status}`);
    if (body.data.resultType !== 'vector') throw new Error(`query ${expr}: expected a vector, got ${body.data.resultType}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The value of a query that returns one series, or undefined when it returns none. */
  async queryOne(expr: string, time?: number): Promise<number | undefined> {
    const result = await this.query(expr, time);
    if (result.length > 1) throw new Error(`query ${expr}: expected at most one series, got ${result.length}`);
    return result[0]?.value;
  }

  /** SIGTERM, wait for the exit (SIGKILL after 10 s), then remove the config and the TSDB. */
  async stop(): Promise<void> {
    await this.stopProcess();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 10_000);
    });
    await Promise.race([exited, forced]);
    clearTimeout(timer);
    await exited;
  }
}

export const startPrometheus = (options: PrometheusOptions): Promise<RunningPrometheus> => RunningPrometheus.start(options);
