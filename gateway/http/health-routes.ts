import { Hono } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ServerState } from './server-state.ts';
import { SERVER_EXTENSIONS, SERVER_NAME, SERVER_VERSION } from '../version.ts';

/**
 * KServe v2 health and server metadata. Per the protocol, health answers 200
 * for true and a 4xx for false; the body says why.
 */
export function healthRoutes(registry: ModelRegistry, state: ServerState, strictReadiness: boolean): Hono {
  const app = new Hono();
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) => {
    const reason = !state.startupComplete
      ? 'models are still loading'
      : state.draining
        ? 'the server is shutting down'
        : strictReadiness && !registry.allReady()
          ? 'not every model of the repository loaded (see GET /v2/repository/index or the logs)'
          : undefined;
    return reason === undefined ? c.json({ ready: true }) : c.json({ ready: false, error: reason }, 400);
  });
  app.get('/v2', (c) => c.json({ name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS }));
  return app;
}
