import { Hono, type Context } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ServerOptions } from '../options.ts';
import { readBody } from './body.ts';
import { parseJsonBody } from '../protocol/json-body.ts';
import { decodeInferRequest } from '../protocol/infer-request.ts';
import { encodeInferResponse } from '../protocol/infer-response.ts';
import { GatewayError } from '../errors.ts';

/**
 * KServe v2 inference: `POST /v2/models/{m}[/versions/{v}]/infer`.
 * Order matters for hostile input: the model is resolved before the body is
 * read, the body is size-checked while it streams, the JSON is depth-checked
 * before it is parsed, and shapes are checked against data lengths before any
 * tensor is allocated.
 */
export function inferRoutes(registry: ModelRegistry, options: ServerOptions): Hono {
  const app = new Hono();
  const infer = async (c: Context, name: string, versionText?: string): Promise<Response> => {
    const served = registry.resolve(name, versionText);
    const signature = served.signature;
    if (signature === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${name}" is not ready`);
    const body = await readBody(c, options.maxBodyBytes);
    const request = decodeInferRequest(parseJsonBody(body, { maxDepth: options.maxJsonDepth }), signature);
    const outputNames = request.outputs?.map((o) => o.name) ?? signature.outputs.map((o) => o.name);
    const outputs = await served.infer({
      inputs: request.inputs,
      outputNames,
      priority: request.parameters.priority,
      timeoutUs: request.parameters.timeout,
      // Aborts when the client disconnects: a request still queued is dropped, not run.
      signal: c.req.raw.signal,
    });
    const text = encodeInferResponse({
      modelName: served.model,
      modelVersion: String(served.version),
      id: request.id,
      outputs: outputNames.map((outputName) => ({ name: outputName, tensor: outputs[outputName]! })),
    });
    return c.body(text, 200, { 'content-type': 'application/json' });
  };
  app.post('/v2/models/:model/infer', (c) => infer(c, c.req.param('model')));
  app.post('/v2/models/:model/versions/:version/infer', (c) => infer(c, c.req.param('model'), c.req.param('version')));
  return app;
}
