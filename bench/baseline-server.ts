/**
 * The naive baseline the gateway is measured against: what a user writes in
 * an afternoon. One onnxruntime-node session per model version, created in the
 * main thread; `POST /v2/models/:m[/versions/:v]/infer` parses the JSON body,
 * does minimal validation, calls `session.run` inline (one request = one run,
 * on the event loop) and answers KServe v2 JSON built with JSON.stringify.
 * `GET /ping` answers a tiny JSON: the HTTP ceiling of hono on node-server.
 *
 *   node --import tsx bench/baseline-server.ts --model-repository models --port 0 [--host 127.0.0.1] [--intra-op-threads N]
 *
 * Prints one JSON line `{"msg":"listening","port":N,"models":[…]}` on stdout once every
 * session is open; SIGTERM closes it.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Hono, type Context } from 'hono';
import { serve } from '@hono/node-server';
import * as ort from 'onnxruntime-node';

const { values: flags } = parseArgs({
  options: {
    'model-repository': { type: 'string', default: 'models' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    /** Unset: onnxruntime's defaults, as a naive server would leave them. */
    'intra-op-threads': { type: 'string' },
  },
});

type Sessions = Map<string, Map<number, ort.InferenceSession>>;

/** `<repo>/<model>/<positive integer>/model.onnx`, every version; nothing else of the repository format. */
async function loadRepository(root: string, sessionOptions: ort.InferenceSession.SessionOptions): Promise<Sessions> {
  const sessions: Sessions = new Map();
  for (const model of await readdir(root)) {
    const modelDir = path.join(root, model);
    if (!(await stat(modelDir)).isDirectory()) continue;
    for (const version of await readdir(modelDir)) {
      if (!/^[1-9][0-9]*$/.test(version)) continue;
      const file = path.join(modelDir, version, 'model.onnx');
      if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
      const versions = sessions.get(model) ?? new Map<number, ort.InferenceSession>();
      versions.set(Number(version), await ort.InferenceSession.create(file, sessionOptions));
      sessions.set(model, versions);
    }
  }
  return sessions;
}

class BadRequest extends Error {
  constructor(message: string, readonly status: 400 | 404 = 400) {
    super(message);
  }
}

const TYPED: Record<string, { ort: ort.Tensor.Type; from: (values: unknown[]) => ort.Tensor.DataType }> = {
  FP32: { ort: 'float32', from: (v) => Float32Array.from(v as number[]) },
  FP64: { ort: 'float64', from: (v) => Float64Array.from(v as number[]) },
  INT32: { ort: 'int32', from: (v) => Int32Array.from(v as number[]) },
  INT64: { ort: 'int64', from: (v) => BigInt64Array.from(v as number[], (x) => BigInt(x)) },
  UINT8: { ort: 'uint8', from: (v) => Uint8Array.from(v as number[]) },
  BOOL: { ort: 'bool', from: (v) => Uint8Array.from(v as boolean[], (x) => (x ? 1 : 0)) },
};
const KSERVE_NAME: Record<string, string> = { float32: 'FP32', float64: 'FP64', int32: 'INT32', int64: 'INT64', uint8: 'UINT8', bool: 'BOOL' };

interface JsonInput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

function toFeeds(body: unknown, session: ort.InferenceSession): Record<string, ort.Tensor> {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs)) throw new BadRequest('"inputs" must be an array');
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs as JsonInput[]) {
    const { name, shape, datatype, data } = input ?? {};
    if (typeof name !== 'string' || !session.inputNames.includes(name)) throw new BadRequest(`unknown input ${String(name)}`);
    const typed = typeof datatype === 'string' ? TYPED[datatype] : undefined;
    if (typed === undefined) throw new BadRequest(`input ${name}: unsupported datatype ${String(datatype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new BadRequest(`input ${name}: bad shape`);
    if (!Array.isArray(data)) throw new BadRequest(`input ${name}: "data" must be an array`);
    const flat = data.flat(Infinity);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (flat.length !== count) throw new BadRequest(`input ${name}: ${flat.length} values for shape [${shape.join(',')}]`);
    feeds[name] = new ort.Tensor(typed.ort, typed.from(flat), shape as number[]);
  }
  for (const name of session.inputNames) if (feeds[name] === undefined) throw new BadRequest(`missing input ${name}`);
  return feeds;
}

function toJsonOutput(name: string, tensor: ort.Tensor): unknown {
  const data = tensor.data;
  return {
    name,
    datatype: KSERVE_NAME[tensor.type] ?? tensor.type,
    shape: tensor.dims,
    data: data instanceof BigInt64Array || data instanceof BigUint64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<unknown>),
  };
}

function pick(sessions: Sessions, model: string, version: string | undefined): [number, ort.InferenceSession] {
  const versions = sessions.get(model);
  if (versions === undefined) throw new BadRequest(`unknown model ${model}`, 404);
  const number = version === undefined ? Math.max(...versions.keys()) : Number(version);
  const session = versions.get(number);
  if (session === undefined) throw new BadRequest(`unknown version ${model}/${version}`, 404);
  return [number, session];
}

function createApp(sessions: Sessions): Hono {
  const app = new Hono();
  app.get('/ping', (c) => c.json({ ok: true }));
  const infer = async (c: Context): Promise<Response> => {
    const model = c.req.param('model')!;
    const [version, session] = pick(sessions, model, c.req.param('version'));
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BadRequest('body is not JSON');
    }
    const results = await session.run(toFeeds(body, session));
    const id = (body as { id?: unknown }).id;
    return c.json({
      model_name: model,
      model_version: String(version),
      ...(typeof id === 'string' ? { id } : {}),
      outputs: session.outputNames.map((name) => toJsonOutput(name, results[name]!)),
    });
  };
  app.post('/v2/models/:model/infer', infer);
  app.post('/v2/models/:model/versions/:version/infer', infer);
  app.onError((error, c) =>
    error instanceof BadRequest ? c.json({ error: error.message }, error.status) : c.json({ error: String(error.message) }, 500));
  return app;
}

const intraOp = flags['intra-op-threads'];
const sessions = await loadRepository(path.resolve(flags['model-repository']), intraOp === undefined ? {} : { intraOpNumThreads: Number(intraOp) });
const server = serve({ fetch: createApp(sessions).fetch, hostname: flags.host, port: Number(flags.port) }, (info: AddressInfo) => {
  const models = [...sessions].flatMap(([name, versions]) => [...versions.keys()].map((v) => `${name}/${v}`));
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: info.port, models })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
});
