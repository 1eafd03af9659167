import { Hono, type Context } from 'hono';
import type { ModelRegistry, ServedModel } from '../models/model-registry.ts';
import type { AuditLog } from '../management/audit-log.ts';
import type { TokenStore } from '../management/tokens.ts';
import { principalOf, remoteOf, requireScope } from '../management/require-scope.ts';
import { isValidModelName } from '../repository/paths.ts';
import { scanRepository } from '../repository/scan.ts';
import { readBody } from './body.ts';
import { parseJsonBody } from '../protocol/json-body.ts';
import { GatewayError } from '../errors.ts';

/**
 * Triton's model repository extension and statistics/configuration reads:
 * `POST /v2/repository/index`, `POST /v2/repository/models/{m}/load|unload`,
 * `GET /v2/models/{m}[/versions/{v}]/stats|config`. Every route needs a token
 * (`read` or `load` scope); every load/unload is audited with who asked.
 * No route takes a path or URL from the request: models are named, and the
 * name is validated before anything touches the filesystem.
 */
export function repositoryRoutes(registry: ModelRegistry, tokens: TokenStore, audit: AuditLog): Hono {
  const app = new Hono();
  const read = (action: string) => requireScope(tokens, 'read', audit, action);
  const load = (action: string) => requireScope(tokens, 'load', audit, action);

  // Every model of the repository, loaded or not (explicit mode), with its versions' states.
  app.post('/v2/repository/index', read('repository index'), async (c) => {
    const loaded = registry.list();
    const unloaded = (await scanRepository(registry.root))
      .filter((entry) => !loaded.some((m) => m.entry.name === entry.name))
      .map((entry) => ({ name: entry.name, state: 'UNAVAILABLE', reason: entry.error ?? 'not loaded' }));
    return c.json([...loaded.flatMap(indexEntries), ...unloaded].sort((a, b) => a.name.localeCompare(b.name)));
  });

  const manage = async (c: Context, action: 'load' | 'unload'): Promise<Response> => {
    const name = c.req.param('model') ?? '';
    const who = principalOf(c)?.name ?? 'anonymous';
    const remote = remoteOf(c);
    if (!isValidModelName(name)) {
      audit.record({ who, action, model: name.slice(0, 200), result: 'refused', detail: 'invalid model name', remote });
      throw new GatewayError('MODELGATE_ERR_BAD_REQUEST', 'model name: expected 1-128 of [A-Za-z0-9_.-], not starting with "." and without ".."');
    }
    try {
      const model = action === 'load' ? await registry.load(name) : await registry.unload(name);
      const failure = action === 'load' ? loadFailure(model) : undefined;
      audit.record({ who, action, model: name, result: failure === undefined ? 'ok' : 'failed', detail: failure, remote });
      if (failure !== undefined) throw new GatewayError('MODELGATE_ERR_BAD_REQUEST', `failed to load "${name}": ${failure}`);
      return c.json({});
    } catch (error) {
      if (!(error instanceof GatewayError) || error.code !== 'MODELGATE_ERR_BAD_REQUEST') {
        audit.record({ who, action, model: name, result: 'failed', detail: error instanceof Error ? error.message : String(error), remote });
      }
      throw error;
    }
  };
  app.post('/v2/repository/models/:model/load', load('model load'), (c) => manage(c, 'load'));
  app.post('/v2/repository/models/:model/unload', load('model unload'), (c) => manage(c, 'unload'));

  // Traffic policy: who serves requests that name no version (see gateway/routing).
  app.get('/v2/models/:model/traffic', read('traffic policy read'), (c) => {
    const model = registry.model(c.req.param('model'));
    return c.json(model.traffic?.spec ?? null);
  });
  app.put('/v2/models/:model/traffic', requireScope(tokens, 'traffic', audit, 'traffic policy change'), async (c) => {
    const name = c.req.param('model');
    const who = principalOf(c)?.name ?? 'anonymous';
    let raw: unknown;
    try {
      raw = parseJsonBody(await readBody(c, 64 * 1024), { maxDepth: 10 });
    } catch (error) {
      audit.record({ who, action: 'traffic', model: name, result: 'refused', detail: (error as Error).message, remote: remoteOf(c) });
      throw error;
    }
    try {
      const policy = await registry.setTraffic(name, raw);
      audit.record({ who, action: 'traffic', model: name, result: 'ok', detail: JSON.stringify(policy.spec.versions), remote: remoteOf(c) });
      return c.json(policy.spec);
    } catch (error) {
      audit.record({ who, action: 'traffic', model: name, result: 'refused', detail: (error as Error).message, remote: remoteOf(c) });
      throw error;
    }
  });

  app.get('/v2/models/:model/stats', read('model statistics'), (c) => {
    const model = registry.model(c.req.param('model'));
    return c.json({ model_stats: [...model.versions.values()].map((v) => v.statistics.toJSON(v.model, v.version)) });
  });
  app.get('/v2/models/:model/versions/:version/stats', read('model statistics'), (c) => {
    const v = registry.find(c.req.param('model'), c.req.param('version'));
    return c.json({ model_stats: [v.statistics.toJSON(v.model, v.version)] });
  });
  const config = (c: Context, versionText?: string) => {
    const v = versionText === undefined ? registry.resolve(c.req.param('model')!) : registry.find(c.req.param('model')!, versionText);
    const { signature, policy } = v;
    return c.json({
      name: v.model,
      version: String(v.version),
      platform: v.platform,
      max_batch_size: signature?.maxBatchSize ?? 0,
      input: signature?.inputs ?? [],
      output: signature?.outputs ?? [],
      dynamic_batching: policy,
      config: v.source.config ?? null,
    });
  };
  app.get('/v2/models/:model/config', read('model configuration'), (c) => config(c));
  app.get('/v2/models/:model/versions/:version/config', read('model configuration'), (c) => config(c, c.req.param('version')));
  return app;
}

interface IndexEntry {
  name: string;
  version?: string;
  state: string;
  reason: string;
}

function indexEntries(model: ServedModel): IndexEntry[] {
  if (model.versions.size === 0) {
    return [{ name: model.entry.name, state: 'UNAVAILABLE', reason: model.error ?? (model.wanted ? 'no version loaded' : 'unloaded') }];
  }
  return [...model.versions.values()]
    .sort((a, b) => a.version - b.version)
    .map((v) => ({ name: v.model, version: String(v.version), state: v.state, reason: v.reason ?? '' }));
}

/** Why a load left the model without a ready version (undefined: it serves). */
function loadFailure(model: ServedModel): string | undefined {
  const ready = [...model.versions.values()].some((v) => v.state === 'READY');
  if (ready) return undefined;
  const reasons = [...model.versions.values()].map((v) => `version ${v.version}: ${v.reason ?? v.state}`);
  return model.error ?? (reasons.join('; ') || 'no version loaded');
}
