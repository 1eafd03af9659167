// The part of autocannon 9's programmatic API the harness uses (the package
// ships no types and @types/autocannon is not a dependency).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Concurrent connections (each sends its next request when the previous one answered). */
      connections?: number;
      pipelining?: number;
      /** Seconds; ignored when `amount` is set. Checked every `sampleInt` ms. */
      duration?: number;
      /** Total number of requests, spread over the connections. */
      amount?: number;
      /** Per-request timeout in seconds. */
      timeout?: number;
      /** Milliseconds between samples (and between checks of the stop flag). */
      sampleInt?: number;
      bailout?: number;
      excludeErrorStats?: boolean;
    }

    /** Histogram summary: integer milliseconds for latency. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p99: number;
      total?: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds, rounded to 10 ms. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      latency: Histogram;
      requests: Histogram & { sent: number };
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends EventEmitter {
      stop(): void;
      on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
      on(event: 'reqError', listener: (error: Error) => void): this;
      on(event: 'start' | 'done', listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(options: autocannon.Options, callback: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export default autocannon;
}
