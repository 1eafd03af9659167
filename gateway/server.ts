import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Hono } from 'hono';
import { createApp } from './http/app.ts';
import { ServerState } from './http/server-state.ts';
import { ModelRegistry } from './models/model-registry.ts';
import type { ServerOptions } from './options.ts';
import { ServingMetrics } from './monitoring/serving-metrics.ts';
import { TokenStore } from './management/tokens.ts';
import { AuditLog } from './management/audit-log.ts';
import { RepositoryPoller } from './models/repository-poller.ts';
import { TrafficWatcher } from './routing/traffic-watcher.ts';
import { RolloutController } from './rollout/controller.ts';
import { inProcessEnvironment } from './rollout/in-process-environment.ts';
import { registerRolloutMetrics } from './monitoring/rollout-metrics.ts';

/**
 * The gateway process in one object: HTTP server, model registry and their
 * lifecycle. `start()` listens first (liveness answers while models load) and
 * resolves once the repository has loaded; `shutdown()` drains, then forces.
 */
export class Gateway {
  readonly state = new ServerState();
  readonly registry: ModelRegistry;
  readonly metrics: ServingMetrics;
  readonly tokens = new TokenStore();
  readonly audit: AuditLog;
  readonly app: Hono;
  private server: ServerType | undefined;
  private poller: RepositoryPoller | undefined;
  private trafficWatcher: TrafficWatcher | undefined;
  readonly rollouts: RolloutController;

  constructor(readonly options: ServerOptions, readonly log: Logger) {
    this.metrics = new ServingMetrics(() => this.registry.versions());
    this.registry = new ModelRegistry(options.modelRepository, log, this.metrics);
    this.audit = new AuditLog(options.auditLog, log);
    this.rollouts = new RolloutController(inProcessEnvironment(this.registry, this.metrics.shadow), this.audit, log);
    // With an external controller, it exports the rollout series (it alone knows the gates);
    // replicas would only repeat the state they read at startup.
    if (options.rolloutController === 'in-process') registerRolloutMetrics(this.metrics.registry, () => this.rollouts);
    this.app = createApp({ rollouts: this.rollouts, registry: this.registry, state: this.state, options, log, metrics: this.metrics, tokens: this.tokens, audit: this.audit });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const started = performance.now();
    if (this.options.managementTokens !== undefined) await this.tokens.loadFile(this.options.managementTokens);
    await new Promise<void>((resolve, reject) => {
      this.server = serve({ fetch: this.app.fetch, hostname: this.options.host, port: this.options.port }, () => resolve());
      this.server.once('error', reject);
      // In-flight is counted at the socket level: a request is done once its response is fully written.
      this.server.on('request', (_request, response) => {
        this.state.requestStarted();
        response.once('close', () => this.state.requestFinished());
      });
    });
    this.log.info({ host: this.options.host, port: this.port }, 'listening');
    const mode = this.options.modelControlMode;
    await this.registry.loadAll(mode === 'explicit' ? this.options.loadModel : undefined);
    if (mode === 'poll') this.poller = RepositoryPoller.start(this.registry, this.options.repositoryPollSeconds, this.log);
    this.trafficWatcher = new TrafficWatcher(this.registry, this.log);
    // With an external `modelgate rollout-controller`, replicas only follow traffic.yaml.
    await this.rollouts.start(this.options.rolloutController === 'in-process' ? this.options.rolloutTickSeconds : 0);
    this.state.startupComplete = true;
    this.log.info({ seconds: Number(((performance.now() - started) / 1000).toFixed(3)), allModelsReady: this.registry.allReady() }, 'startup complete');
  }

  /**
   * Stops accepting, lets in-flight requests finish within the grace period,
   * closes every pool. Resolves `forced: true` when the grace period ran out.
   */
  async shutdown(): Promise<{ forced: boolean }> {
    if (this.state.draining) return { forced: false };
    this.state.draining = true;
    this.poller?.stop();
    this.trafficWatcher?.stop();
    this.rollouts.stop();
    this.log.info({ inFlight: this.state.inFlight, gracePeriodSeconds: this.options.gracePeriodSeconds }, 'draining');
    const server = this.server as Server | undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.gracePeriodSeconds * 1000);
    });
    const drained = await Promise.race([this.state.idle().then(() => 'idle' as const), graceOver]);
    clearTimeout(timer);
    // Every answered connection is idle now (or the grace period is over): close what is left.
    server?.closeAllConnections();
    await closed;
    const forced = drained === 'timeout';
    await this.registry.close(forced);
    this.log.info({ forced }, 'stopped');
    return { forced };
  }
}
