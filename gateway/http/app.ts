import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ServerOptions } from '../options.ts';
import type { ServerState } from './server-state.ts';
import { errorResponder } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { modelRoutes } from './model-routes.ts';
import { inferRoutes } from './infer-route.ts';
import { driftRoutes } from './drift-route.ts';
import { tfservingRoutes } from './tfserving-routes.ts';
import { GatewayError } from '../errors.ts';
import type { ServingMetrics } from '../monitoring/serving-metrics.ts';
import type { TokenStore } from '../management/tokens.ts';
import type { AuditLog } from '../management/audit-log.ts';
import { requireScope } from '../management/require-scope.ts';
import { repositoryRoutes } from './repository-routes.ts';
import { rolloutRoutes } from './rollout-routes.ts';
import type { RolloutController } from '../rollout/controller.ts';

export interface AppDependencies {
  registry: ModelRegistry;
  state: ServerState;
  options: ServerOptions;
  log: Logger;
  metrics: ServingMetrics;
  tokens: TokenStore;
  audit: AuditLog;
  rollouts: RolloutController;
}

/** The HTTP surface: every route group, the drain gate and the error contract. */
export function createApp({ registry, state, options, log, metrics, tokens, audit, rollouts }: AppDependencies): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    // While draining, work already accepted finishes but new requests are turned away.
    if (state.draining && c.req.method === 'POST') {
      c.header('connection', 'close');
      throw new GatewayError('MODELGATE_ERR_SHUTTING_DOWN', 'the server is shutting down; retry on another replica');
    }
    await next();
    // Responses written while draining close their connection, so keep-alive clients move on.
    if (state.draining) c.header('connection', 'close');
  });
  if (options.inferenceAuth) {
    // Inference is open by default; with --inference-auth it needs a token with the `infer` scope.
    const guard = requireScope(tokens, 'infer', undefined, 'inference');
    app.use('/v2/models/:model/infer', guard);
    app.use('/v2/models/:model/versions/:version/infer', guard);
    app.on('POST', '/v1/*', guard);
  }
  app.route('/', healthRoutes(registry, state, options.strictReadiness));
  app.route('/', repositoryRoutes(registry, tokens, audit));
  app.route('/', rolloutRoutes(rollouts, tokens, audit));
  app.route('/', modelRoutes(registry));
  app.route('/', inferRoutes(registry, options, metrics));
  app.route('/', driftRoutes(registry));
  app.route('/', tfservingRoutes(registry, options, metrics));
  app.get('/metrics', async (c) => c.body(await metrics.text(), 200, { 'content-type': metrics.contentType() }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError(errorResponder(log));
  return app;
}
