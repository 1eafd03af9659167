import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerRolloutMetrics } from '../monitoring/rollout-metrics.ts';
import type { RolloutController } from './controller.ts';

/**
 * The HTTP face of `modelgate rollout-controller`: `GET /metrics` (the
 * `modelgate_rollout_*` families, the same the in-process controller exports
 * from a gateway, plus process metrics) and `GET /healthz` (200 while the
 * process runs). In a fleet, the controller is the only process that knows the
 * gates' values, so the rollout dashboard reads it; replicas serving with
 * `--rollout-controller external` export no rollout series of their own.
 */
export class ControllerMetricsServer {
  private constructor(private readonly server: Server) {}

  static async start(controller: RolloutController, host: string, port: number): Promise<ControllerMetricsServer> {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    registerRolloutMetrics(registry, () => controller);
    const server = createServer((request, response) => {
      const url = request.url?.split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        send(response, 405, 'application/json', JSON.stringify({ error: `method ${request.method}: expected GET` }));
      } else if (url === '/metrics') {
        registry.metrics().then(
          (text) => send(response, 200, registry.contentType, text),
          () => send(response, 500, 'application/json', JSON.stringify({ error: 'metrics could not be collected' })),
        );
      } else if (url === '/healthz') {
        send(response, 200, 'application/json', JSON.stringify({ live: true, rollouts: controller.all().length }));
      } else {
        send(response, 404, 'application/json', JSON.stringify({ error: `no route ${url ?? ''}: expected /metrics or /healthz` }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return new ControllerMetricsServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function send(response: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
