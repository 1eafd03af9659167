import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor, StopWaiting } from './prometheus.ts';

const BIN = new URL('../../bin/modelgate.js', import.meta.url).pathname;
const LOG_LIMIT = 64 * 1024;

/**
 * A gateway in its own process (`modelgate serve` on a loopback port chosen by the OS), as a
 * replica runs in production: its own event loop, worker pools and metrics. Use startGateway
 * (in-process) unless the test is about several processes.
 */
export class GatewayProcess {
  private output = '';
  /** `http://127.0.0.1:<port>`, known once the process logged where it listens. */
  url = '';

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** `host:port`, as a Prometheus target or an nginx upstream. */
  get address(): string {
    return new URL(this.url).host;
  }

  /** Starts `modelgate serve` with `args` and resolves once `/v2/health/ready` answers 200 (bounded). */
  static async start(args: readonly string[], options: { readyTimeoutMs?: number } = {}): Promise<GatewayProcess> {
    const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const replica = new GatewayProcess(child);
    try {
      await waitFor('the replica to be ready', async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`modelgate exited (${child.exitCode ?? child.signalCode})`);
        const port = /"port":(\d+),"msg":"listening"/.exec(replica.output)?.[1];
        if (port === undefined) return undefined;
        replica.url = `http://127.0.0.1:${port}`;
        const response = await fetch(`${replica.url}/v2/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200 ? true : undefined;
      }, { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 100 });
      return replica;
    } catch (error) {
      await replica.stop();
      throw new Error(`modelgate did not start: ${error instanceof Error ? error.message : String(error)}\n${replica.log()}`);
    }
  }

  /** The last 64 KiB of what the process wrote to stdout and stderr. */
  log(): string {
    return this.output;
  }

  /** SIGTERM (the gateway drains), wait for the exit; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
