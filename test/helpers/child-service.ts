import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StopWaiting, waitFor } from './wait.ts';

/**
 * A process a test runs beside it (Prometheus, nginx, a gateway replica), listening on a
 * loopback port. ChildService.start's contract:
 *
 * - a fresh temp dir is the service's (config, data, logs); `command` gets it, stop() and a
 *   failed start remove it;
 * - the port is either chosen here (`{ free: inUse }`: a port the OS had free, passed to
 *   `command`) or chosen by the service (`{ fromLog: pattern }`: `command` gets 0 and the
 *   port is the first group of `pattern` in the service's output);
 * - the service is ready once `http://127.0.0.1:<port><readyPath>` answers 200; the wait is
 *   bounded by readyTimeoutMs and ends at once if the process exits;
 * - a free port is released before the service binds it, so another process may take it in
 *   between: when a start fails and the output matches `inUse`, it is retried on another port
 *   (3 tries in all, the same temp dir);
 * - a failed start throws `<name> did not start: <why>` followed by the output's tail.
 */

export type PortChoice = { free: RegExp } | { fromLog: RegExp };

export interface ChildServiceOptions {
  /** Names the service in errors and its temp dir. */
  name: string;
  /** One try's executable and arguments, for `port` (0 with `fromLog`); may write its config into `dir`. */
  command: (port: number, dir: string) => { file: string; args: string[] };
  port: PortChoice;
  /** A path that answers 200 once the service is ready. */
  readyPath: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  killAfterMs?: number;
}

/** How much of the output is kept: its last 64 KiB. */
const LOG_LIMIT = 64 * 1024;
const TRIES = 3;

/** A free loopback port: bound by the OS, then released (for a service that needs a number up front). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class ChildService {
  private output = '';
  private port = 0;

  private constructor(private readonly child: ChildProcess, readonly dir: string, private readonly killAfterMs: number) {
    const keep = (chunk: Buffer | string) => {
      this.output = (this.output + chunk.toString()).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A spawn that fails (no such executable) emits 'error' instead of 'exit'.
    child.on('error', (error) => keep(`\n${error.message}\n`));
  }

  /** Starts the service (see the contract above) and resolves once it is ready. */
  static async start(options: ChildServiceOptions): Promise<ChildService> {
    const dir = mkdtempSync(path.join(tmpdir(), `modelgate-${options.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`));
    const choice = options.port;
    let failure = '';
    for (let tries = 0; tries < TRIES; tries++) {
      const port = 'free' in choice ? await freePort() : 0;
      const { file, args } = options.command(port, dir);
      const service = new ChildService(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }), dir, options.killAfterMs ?? 10_000);
      service.port = port;
      try {
        await waitFor(`${options.name} to answer ${options.readyPath}`, async () => {
          if (service.child.pid === undefined) throw new StopWaiting(`could not run ${file}`);
          if (service.ended()) throw new StopWaiting(`${options.name} exited (${service.child.exitCode ?? service.child.signalCode})`);
          if (service.port === 0 && 'fromLog' in choice) service.port = Number(choice.fromLog.exec(service.output)?.[1] ?? 0);
          if (service.port === 0) return undefined;
          const response = await fetch(`${service.url}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          return response.status === 200 ? true : undefined;
        }, { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 100 });
        return service;
      } catch (error) {
        await service.terminate();
        failure = `${error instanceof Error ? error.message : String(error)}\n${service.log()}`;
        if (!('free' in choice && choice.free.test(service.log()))) break;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${options.name} did not start: ${failure}`);
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last 64 KiB of what the process wrote to stdout and stderr. */
  log(): string {
    return this.output;
  }

  /** SIGTERM, wait for the exit (SIGKILL after killAfterMs), then remove the temp dir. */
  async stop(): Promise<void> {
    await this.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ended(): boolean {
    return this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private async terminate(): Promise<void> {
    if (this.ended()) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.killAfterMs);
    await exited;
    clearTimeout(timer);
  }
}
