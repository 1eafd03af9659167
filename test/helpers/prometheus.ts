import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ChildService } from './child-service.ts';

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

export class RunningPrometheus {
  private constructor(private readonly service: ChildService) {}

  /** Starts Prometheus and resolves once `/-/ready` answers 200. */
  static async start(options: PrometheusOptions): Promise<RunningPrometheus> {
    // Prometheus durations are integers with a unit: 0.7 s is written 700ms.
    const duration = (seconds: number) => `${Math.round(seconds * 1000)}ms`;
    const interval = duration(options.intervalSeconds ?? 1);
    const service = await ChildService.start({
      name: 'Prometheus',
      command: (port, dir) => {
        const configFile = path.join(dir, 'prometheus.yml');
        writeFileSync(configFile, stringify({
          global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: duration(options.evaluationIntervalSeconds ?? options.intervalSeconds ?? 1) },
          rule_files: [...(options.ruleFiles ?? [])],
          scrape_configs: [{ job_name: options.jobName ?? 'modelgate', metrics_path: '/metrics', static_configs: [{ targets: [...options.targets] }] }],
        }));
        return {
          file: 'prometheus',
          // A fresh TSDB per try: a try that lost its port may have left one behind.
          args: [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, `data-${port}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'],
        };
      },
      port: { free: /address already in use/i },
      readyPath: '/-/ready',
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      killAfterMs: 10_000,
    });
    return new RunningPrometheus(service);
  }

  get url(): string {
    return this.service.url;
  }

  /** The last 64 KiB of what Prometheus wrote to stdout and stderr. */
  log(): string {
    return this.service.log();
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
  stop(): Promise<void> {
    return this.service.stop();
  }
}

export const startPrometheus = (options: PrometheusOptions): Promise<RunningPrometheus> => RunningPrometheus.start(options);
