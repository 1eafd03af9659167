import { Hono, type Context } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';
import type { ServerOptions } from '../options.ts';
import type { ServingMetrics } from '../monitoring/serving-metrics.ts';
import { accountedRequest } from './accounted-request.ts';
import { GatewayError } from '../errors.ts';
import { readBody } from './body.ts';
import { disconnection } from './disconnect.ts';
import { parseJsonBody } from '../protocol/json-body.ts';
import { describe } from '../protocol/infer-request.ts';
import { parseTfServingPath, type TfServingTarget } from '../protocol/tfserving-path.ts';
import { modelMetadata, modelStatus } from '../protocol/tfserving-metadata.ts';
import { decodePredictRequest } from '../protocol/tfserving-request.ts';
import { encodePredictResponse } from '../protocol/tfserving-response.ts';

/**
 * TF Serving's REST API over the same models as the v2 API:
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]            model status
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata   signature "serving_default"
 *   POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict    row or columnar format
 * The verb after a colon defeats router patterns, so one wildcard per method parses the
 * path (tfserving-path.ts). Labels come from config.yaml `version_labels`. Prediction
 * is resolved and accounted for like v2 inference (accounted-request.ts: traffic policy,
 * statistics, request log, request metrics) and runs through `served.infer` (batching,
 * monitoring); errors are the gateway's `{"error": ...}` with the same statuses.
 */
export function tfservingRoutes(registry: ModelRegistry, options: ServerOptions, metrics: ServingMetrics): Hono {
  const app = new Hono();

  const target = (c: Context): TfServingTarget => {
    const parsed = parseTfServingPath(c.req.path);
    if (parsed === undefined) throw new GatewayError('MODELGATE_ERR_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
    return parsed;
  };

  /** The version a target names, as text for the registry; undefined: the latest ready one. */
  const versionText = (t: TfServingTarget): string | undefined =>
    t.label === undefined ? t.version : labelledVersion(registry, t.model, t.label);

  app.get('/v1/models/*', (c) => {
    const t = target(c);
    if (t.kind === 'verb') {
      throw new GatewayError('MODELGATE_ERR_METHOD_NOT_ALLOWED', `":${t.verb}" expects POST, got GET`);
    }
    if (t.kind === 'metadata') {
      const served = registry.resolve(t.model, versionText(t));
      const signature = ready(served);
      return c.json(modelMetadata(served.model, served.version, signature));
    }
    const model = registry.model(t.model);
    const named = versionText(t);
    const versions = named === undefined ? [...model.versions.values()] : [registry.find(t.model, named)];
    if (versions.length === 0) {
      throw new GatewayError('MODELGATE_ERR_VERSION_NOT_FOUND',
        `model "${t.model}" has no served versions${model.error === undefined ? '' : ` (${model.error})`}`);
    }
    return c.json(modelStatus(versions.map((v) => ({ version: v.version, state: v.state, reason: v.reason }))));
  });

  app.post('/v1/models/*', async (c) => {
    const t = target(c);
    if (t.kind !== 'verb') {
      throw new GatewayError('MODELGATE_ERR_METHOD_NOT_ALLOWED', `model ${t.kind} expects GET, got POST`);
    }
    if (t.verb !== 'predict') {
      throw new GatewayError('MODELGATE_ERR_NOT_FOUND', `":${t.verb}" is not supported; this server answers ":predict"`);
    }
    return accountedRequest(c, registry, metrics, t.model, versionText(t), (served) => predict(c, served));
  });

  const predict = async (c: Context, served: ModelVersion): Promise<Response> => {
    const signature = ready(served);
    const body = await readBody(c, options.maxBodyBytes);
    const request = decodePredictRequest(parseJsonBody(body, { maxDepth: options.maxJsonDepth }), signature);
    const outputNames = signature.outputs.map((o) => o.name);
    const outputs = await served.infer({
      inputs: request.inputs,
      outputNames,
      // Cancelled when the client disconnects: a request still queued is dropped, not run.
      cancel: disconnection(c),
    });
    const text = encodePredictResponse(request.format, outputNames.map((name) => ({ name, tensor: outputs[name]! })), request.rows);
    return c.body(text, 200, { 'content-type': 'application/json' });
  };

  return app;
}

function ready(served: ModelVersion): NonNullable<ModelVersion['signature']> {
  if (served.signature === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${served.model}" is not ready`);
  return served.signature;
}

/**
 * The version a label of config.yaml `version_labels` names, as text. 404 for a label the
 * model does not define, and for one that names a version the model does not serve.
 */
export function labelledVersion(registry: ModelRegistry, name: string, label: string): string {
  const model = registry.model(name);
  const labels = model.entry.config?.version_labels ?? {};
  const version = Object.hasOwn(labels, label) ? labels[label] : undefined;
  if (version === undefined) {
    const known = Object.keys(labels);
    throw new GatewayError('MODELGATE_ERR_VERSION_NOT_FOUND', `model "${name}" has no version label ${describe(label)} ` +
      `(${known.length > 0 ? `labels: ${known.join(', ')}` : 'its config.yaml defines no version_labels'})`);
  }
  if (!model.versions.has(version)) {
    const served = [...model.versions.keys()].sort((a, b) => a - b);
    throw new GatewayError('MODELGATE_ERR_VERSION_NOT_FOUND', `model "${name}" label ${describe(label)} names version ${version}, ` +
      `which is not served (served: ${served.length > 0 ? served.join(', ') : 'none'})`);
  }
  return String(version);
}
