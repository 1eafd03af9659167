import { Hono, type Context } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ServerOptions } from '../options.ts';
import { readBody } from './body.ts';
import { disconnection } from './disconnect.ts';
import { decodeInferBody } from '../protocol/binary-request.ts';
import { binaryOutputNames, encodeInferResponseFor } from '../protocol/binary-response.ts';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '../protocol/binary-layout.ts';
import { GatewayError } from '../errors.ts';
import type { ServingMetrics } from '../monitoring/serving-metrics.ts';
import { accountedRequest } from './accounted-request.ts';
import { prepareShadow } from '../routing/shadow.ts';
import type { ModelVersion } from '../models/model-version.ts';

/**
 * KServe v2 inference: `POST /v2/models/{m}[/versions/{v}]/infer`, JSON or
 * Triton's binary tensor extension (when `Inference-Header-Content-Length` is set).
 * Order matters for hostile input: the model is resolved before the body is
 * read, the body is size-checked while it streams, the JSON is depth-checked
 * before it is parsed, and shapes are checked against data lengths before any
 * tensor is allocated. Everything about the response (binary flags) is
 * validated before the model runs.
 */
export function inferRoutes(registry: ModelRegistry, options: ServerOptions, metrics: ServingMetrics): Hono {
  const app = new Hono();
  const infer = async (c: Context, served: ModelVersion): Promise<Response> => {
    const name = served.model;
    const signature = served.signature;
    if (signature === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${name}" is not ready`);
    const body = await readBody(c, options.maxBodyBytes);
    const request = decodeInferBody(body, c.req.header(INFERENCE_HEADER_CONTENT_LENGTH), signature, { maxDepth: options.maxJsonDepth });
    const outputNames = request.outputs?.map((o) => o.name) ?? signature.outputs.map((o) => o.name);
    const binary = binaryOutputNames(request, outputNames);
    const mirror = prepareShadow(registry.model(served.model), served, request.inputs, outputNames, metrics.shadow);
    const outputs = await served.infer({
      inputs: request.inputs,
      outputNames,
      priority: request.parameters.priority,
      timeoutUs: request.parameters.timeout,
      // Cancelled when the client disconnects: a request still queued is dropped, not run.
      cancel: disconnection(c),
    });
    mirror?.(outputs);
    const response = encodeInferResponseFor({
      modelName: served.model,
      modelVersion: String(served.version),
      id: request.id,
      outputs: outputNames.map((outputName) => ({ name: outputName, tensor: outputs[outputName]! })),
    }, binary);
    return c.body(response.body, 200, response.headers);
  };
  app.post('/v2/models/:model/infer', (c) => accountedRequest(c, registry, metrics, c.req.param('model'), undefined, (served) => infer(c, served)));
  app.post('/v2/models/:model/versions/:version/infer', (c) => accountedRequest(c, registry, metrics, c.req.param('model'), c.req.param('version'), (served) => infer(c, served)));
  return app;
}
