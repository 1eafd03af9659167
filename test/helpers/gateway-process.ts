import { ChildService } from './child-service.ts';

const BIN = new URL('../../bin/modelgate.js', import.meta.url).pathname;

/**
 * A gateway in its own process (`modelgate serve` on a loopback port chosen by the OS), as a
 * replica runs in production: its own event loop, worker pools and metrics. Use startGateway
 * (in-process) unless the test is about several processes.
 */
export class GatewayProcess {
  private constructor(private readonly service: ChildService) {}

  /** Starts `modelgate serve` with `args` and resolves once `/v2/health/ready` answers 200 (bounded). */
  static async start(args: readonly string[]): Promise<GatewayProcess> {
    const service = await ChildService.start({
      name: 'modelgate',
      command: () => ({ file: process.execPath, args: [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', ...args] }),
      // The gateway binds port 0 and logs the port it got.
      port: { fromLog: /"port":(\d+),"msg":"listening"/ },
      readyPath: '/v2/health/ready',
      // SIGTERM makes the gateway drain first.
      killAfterMs: 15_000,
    });
    return new GatewayProcess(service);
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.service.url;
  }

  /** `host:port`, as a Prometheus target or an nginx upstream. */
  get address(): string {
    return new URL(this.url).host;
  }

  /** The last 64 KiB of what the process wrote to stdout and stderr. */
  log(): string {
    return this.service.log();
  }

  /** SIGTERM (the gateway drains), wait for the exit; SIGKILL after 15 s. */
  stop(): Promise<void> {
    return this.service.stop();
  }
}
